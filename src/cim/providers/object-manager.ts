import { INTEROP_NAMESPACE, VIRT_NAMESPACE } from '../classes/index.js';
import { C, namespacePath, OBJECT_MANAGER_NAME, objectManagerPath } from '../naming.js';
import type { InstanceProvider } from '../provider.js';
import { instance, link, type ProviderEnv, RUNNING_SERVICE } from './env.js';

/** The namespaces the object manager serves, as CIM_Namespace names them. */
const NAMESPACES = [INTEROP_NAMESPACE, VIRT_NAMESPACE];

/**
 * Providers of the object manager and its namespaces in root/interop (DSP1033 §7.3, CIM_ObjectManager,
 * CIM_Namespace, CIM_NamespaceInManager): what a client such as pywbem's WBEMServer reads to find the interop
 * namespace, the server's brand and the namespaces before it looks at profiles.
 *
 * @example
 * for (const p of objectManagerProviders(env)) om.register(INTEROP_NAMESPACE, p);
 */
export function objectManagerProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.hostName;
  return [
    {
      className: C.objectManager,
      enumerate: () => [
        instance(C.objectManager, {
          SystemCreationClassName: C.host,
          SystemName: host,
          CreationClassName: C.objectManager,
          Name: OBJECT_MANAGER_NAME,
          ElementName: 'Vessel',
          Description: 'Vessel CIM object manager (CIM-XML)',
          ...RUNNING_SERVICE,
          GatherStatisticalData: 'false',
        }),
      ],
    },
    {
      className: C.namespace,
      enumerate: () =>
        NAMESPACES.map((name) =>
          instance(C.namespace, {
            ...namespacePath(host, name).keys,
            ElementName: name,
            ClassInfo: '1',
            DescriptionOfClassInfo: 'CIM 2.41',
            ClassType: '2',
            ClassTypeVersion: '2.41.0',
          }),
        ),
    },
    {
      className: 'Vessel_NamespaceInManager',
      enumerate: () =>
        NAMESPACES.map((name) =>
          link(
            'Vessel_NamespaceInManager',
            'Antecedent',
            objectManagerPath(host),
            'Dependent',
            namespacePath(host, name),
          ),
        ),
    },
  ];
}
