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

/**
 * Providers of the hypervisor's software identity and its two associations: InstalledSoftwareIdentity (the host
 * system, where it is installed) and ElementSoftwareIdentity (the host, which it runs: status Current and
 * Installed), as DSP1023 §8 relates a system's software.
 */
export function softwareProviders(env: ProviderEnv): InstanceProvider[] {
  const host = env.hostName;
  /** Read once from the first caller's Api: what the host runs does not change while it runs. */
  let software: Promise<Software | undefined> | undefined;
  const softwareOf = (ctx: CimContext): Promise<Software | undefined> => {
    software ??= env
      .api(ctx)
      .host.info()
      .then((i) => i.software);
    software.catch(() => (software = undefined));
    return software;
  };
  const id = idPath(SOFTWARE, HYPERVISOR_SOFTWARE_ID);
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
