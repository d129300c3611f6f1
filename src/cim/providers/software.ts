import type { HostInfo } from '../../api/index.js';
import { HYPERVISOR_SOFTWARE_ID, hostPath, idPath } from '../naming.js';
import type { CimContext, InstanceProvider } from '../provider.js';
import type { CimInstance } from '../types.js';
import { instance, link, type ProviderEnv } from './env.js';

const SOFTWARE = 'Vessel_SoftwareIdentity';

type Software = NonNullable<HostInfo['software']>;

/** The numbers of a `MAJOR.MINOR.REVISION[+build]` version, as CIM's uint16 version properties. */
function versionNumbers(version: string): Record<string, string> {
  const m = /^(\d{1,5})\.(\d{1,5})\.(\d{1,5})/.exec(version);
  if (m === null || m.slice(1).some((n) => Number(n) > 65535)) return {};
  return { MajorVersion: m[1]!, MinorVersion: m[2]!, RevisionNumber: m[3]! };
}

/**
 * The hypervisor's CIM_SoftwareIdentity (DSP1023 Software Inventory): VersionString is the host image's version
 * (the Vessel package version outside an image), ImageDigest the image's SHA-256; Classifications 13 (Software
 * Bundle) for an image, which carries the OS, QEMU and Vessel, 4 (Application Software) for Vessel alone.
 *
 * @example
 * softwareInstance({ version: '0.1.0', image: false }).properties.VersionString; // '0.1.0'
 */
export function softwareInstance(s: Software): CimInstance {
  return instance(SOFTWARE, {
    InstanceID: HYPERVISOR_SOFTWARE_ID,
    ElementName: s.image ? 'Vessel host image' : 'Vessel',
    Name: 'Vessel',
    Manufacturer: 'Vessel',
    VersionString: s.version,
    ...versionNumbers(s.version),
    Classifications: [s.image ? '13' : '4'],
    IsEntity: 'true',
    TargetOperatingSystems: ['Linux x86_64'],
    ImageDigest: s.digest,
    ...(s.digest === undefined ? {} : { IdentityInfoType: ['SHA-256'], IdentityInfoValue: [s.digest] }),
    HealthState: '5',
    OperationalStatus: ['2'],
  });
}

/** Each service's software, read once from its first caller's Api: what a host runs does not change while it runs. */
const SOFTWARE_OF = new WeakMap<ProviderEnv, Promise<Software | undefined>>();

/**
 * What the host runs (the Api's HostInfo.software), read once per provider environment; undefined for a host that
 * does not say (then there is no software identity, nor its associations and profile conformance). A failed read
 * is not kept.
 *
 * @example
 * (await hostSoftware(env, ctx))?.version; // '0.1.0'
 */
export function hostSoftware(env: ProviderEnv, ctx: CimContext): Promise<Software | undefined> {
  let software = SOFTWARE_OF.get(env);
  if (software === undefined) {
    software = env
      .api(ctx)
      .host.info()
      .then((i) => i.software);
    SOFTWARE_OF.set(env, software);
    software.catch(() => SOFTWARE_OF.delete(env));
  }
  return software;
}

/** The path of the hypervisor's software identity, the central instance of DSP1023. */
export const SOFTWARE_PATH = idPath(SOFTWARE, HYPERVISOR_SOFTWARE_ID);

/**
 * Providers of the hypervisor's software identity and its two associations: InstalledSoftwareIdentity (the host
 * system, where it is installed) and ElementSoftwareIdentity (the host, which it runs: status Current and
 * Installed), as DSP1023 §8 relates a system's software.
 */
export function softwareProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.hostName;
  const softwareOf = (ctx: CimContext) => hostSoftware(env, ctx);
  const id = SOFTWARE_PATH;
  return [
    {
      className: SOFTWARE,
      enumerate: async (ctx) => {
        const s = await softwareOf(ctx);
        return s === undefined ? [] : [softwareInstance(s)];
      },
    },
    {
      className: 'Vessel_InstalledSoftwareIdentity',
      enumerate: async (ctx) =>
        (await softwareOf(ctx)) === undefined
          ? []
          : [link('Vessel_InstalledSoftwareIdentity', 'System', hostPath(host), 'InstalledSoftware', id)],
    },
    {
      className: 'Vessel_ElementSoftwareIdentity',
      enumerate: async (ctx) =>
        (await softwareOf(ctx)) === undefined
          ? []
          : [
              link('Vessel_ElementSoftwareIdentity', 'Antecedent', id, 'Dependent', hostPath(host), {
                ElementSoftwareStatus: ['2', '6'],
                UpgradeCondition: '4',
              }),
            ],
    },
  ];
}
