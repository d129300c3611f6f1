import { METRICS } from '../metrics.js';
import { C, hostPath, idPath, objectManagerPath, profilePath, systemPath, vsmsPath } from '../naming.js';
import { POOLS, poolIds } from '../pools.js';
import type { InstanceProvider } from '../provider.js';
import { systemSummaries } from '../snapshot.js';
import type { CimInstance, CimInstanceName } from '../types.js';
import { instance, link, type ProviderEnv } from './env.js';
import { definitionPath } from './metrics.js';
import { hostSoftware, SOFTWARE_PATH } from './software.js';

/** A DMTF profile Vessel registers (DSP1033 §7.2). */
interface ProfileSpec {
  dsp: string;
  name: string;
  version: string;
}

/** The profiles registered in root/interop. */
const PROFILES: readonly ProfileSpec[] = [
  { dsp: 'DSP1033', name: 'Profile Registration', version: '1.0.0' },
  { dsp: 'DSP1052', name: 'Computer System', version: '1.0.0' },
  { dsp: 'DSP1042', name: 'System Virtualization', version: '1.0.0' },
  { dsp: 'DSP1057', name: 'Virtual System', version: '1.0.0' },
  { dsp: 'DSP1041', name: 'Resource Allocation', version: '1.1.0' },
  { dsp: 'DSP1043', name: 'Allocation Capabilities', version: '1.0.0' },
  { dsp: 'DSP1044', name: 'Processor Resource Virtualization', version: '1.0.0' },
  { dsp: 'DSP1045', name: 'Memory Resource Virtualization', version: '1.0.0' },
  { dsp: 'DSP1047', name: 'Storage Resource Virtualization', version: '1.0.0' },
  { dsp: 'DSP1050', name: 'Ethernet Port Resource Virtualization', version: '1.0.0' },
  { dsp: 'DSP1103', name: 'Job Control', version: '1.0.0' },
  { dsp: 'DSP1053', name: 'Base Metrics', version: '1.0.1' },
  { dsp: 'DSP1023', name: 'Software Inventory', version: '1.0.1' },
];

/** `CIM:DSP1042-SystemVirtualization-1.0.0`: the InstanceID pattern libvirt-cim uses, which cimtest checks. */
function profileId(p: ProfileSpec): string {
  return `CIM:${p.dsp}-${p.name.replace(/ /g, '')}-${p.version}`;
}

function profileRef(dsp: string): CimInstanceName {
  const p = PROFILES.find((x) => x.dsp === dsp)!;
  return profilePath(profileId(p));
}

/** DSP1042 scopes the virtualization component profiles; DSP1052 (the host) references DSP1042. */
const REFERENCES: Array<[string, string]> = [
  ['DSP1052', 'DSP1042'],
  ['DSP1042', 'DSP1057'],
  ['DSP1042', 'DSP1041'],
  ['DSP1042', 'DSP1043'],
  ['DSP1042', 'DSP1044'],
  ['DSP1042', 'DSP1045'],
  ['DSP1042', 'DSP1047'],
  ['DSP1042', 'DSP1050'],
  ['DSP1042', 'DSP1103'],
  ['DSP1057', 'DSP1041'],
  // The metrics of the virtual systems and of the host (DSP1053 is a component profile of both).
  ['DSP1057', 'DSP1053'],
  ['DSP1052', 'DSP1053'],
  // The hypervisor's software identity, installed on the host (DSP1023's scoping class is CIM_System).
  ['DSP1052', 'DSP1023'],
];

/** Providers of profile registration: registered profiles, referenced profiles and conformance (root/interop). */
export function profileProviders(env: ProviderEnv): {
  interop: InstanceProvider[];
  conformance: InstanceProvider;
} {
  const host = env.hostName;
  const conformance: InstanceProvider = {
    className: 'Vessel_ElementConformsToProfile',
    enumerate: async (ctx) => {
      const out: CimInstance[] = [];
      const add = (dsp: string, element: CimInstanceName) =>
        out.push(
          link(
            'Vessel_ElementConformsToProfile',
            'ConformantStandard',
            profileRef(dsp),
            'ManagedElement',
            element,
          ),
        );
      add('DSP1033', objectManagerPath(host));
      add('DSP1052', hostPath(host));
      add('DSP1042', hostPath(host));
      add('DSP1103', vsmsPath(host));
      for (const p of POOLS) {
        const pool = idPath(C.pool, poolIds.pool(p));
        add('DSP1041', pool);
        if (p.profile !== 'DSP1041') add(p.profile, pool);
        add('DSP1043', idPath(C.allocCaps, poolIds.caps(p)));
      }
      for (const v of await systemSummaries(ctx, env)) add('DSP1057', systemPath(v.name));
      // DSP1053's central class is CIM_BaseMetricDefinition.
      for (const m of METRICS) add('DSP1053', definitionPath(m));
      // DSP1023's central class is CIM_SoftwareIdentity: the hypervisor's, when the host says what it runs.
      if ((await hostSoftware(env, ctx)) !== undefined) add('DSP1023', SOFTWARE_PATH);
      return out;
    },
  };
  return {
    interop: [
      {
        className: C.profile,
        enumerate: () =>
          PROFILES.map((p) =>
            instance(C.profile, {
              InstanceID: profileId(p),
              ElementName: `${p.dsp} ${p.name}`,
              RegisteredOrganization: '2',
              RegisteredName: p.name,
              RegisteredVersion: p.version,
              AdvertiseTypes: ['2'],
            }),
          ),
      },
      {
        className: 'Vessel_ReferencedProfile',
        enumerate: () =>
          REFERENCES.map(([dependent, antecedent]) =>
            link(
              'Vessel_ReferencedProfile',
              'Antecedent',
              profileRef(antecedent),
              'Dependent',
              profileRef(dependent),
            ),
          ),
      },
    ],
    conformance,
  };
}
