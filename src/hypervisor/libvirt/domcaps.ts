/** What the driver takes from libvirt's domain capabilities (virConnectGetDomainCapabilities). */
export interface LibvirtDomainCaps {
  /** `<vcpu max>`: the most vCPUs a domain of the default machine type may have. */
  maxCpus?: number;
  /** `<machine>`: the machine type libvirt picks by default (e.g. `pc-i440fx-7.2`). */
  machine?: string;
  /** `<devices><disk><enum name='bus'>`: the disk buses the emulator offers. */
  diskBuses: string[];
  /** `<os><loader><value>`: the firmware images libvirt knows (empty: BIOS only). */
  loaders: string[];
}

/** The values of one `<enum name="NAME">` inside `section`. */
function enumValues(section: string, name: string): string[] {
  const m = new RegExp(`<enum name=['"]${name}['"]>([\\s\\S]*?)</enum>`).exec(section);
  if (m === null) return [];
  return [...m[1]!.matchAll(/<value>([^<]{1,256})<\/value>/g)].map((v) => v[1]!);
}

/**
 * Reads the parts of a domain capabilities document the driver uses (libvirt's formatdomaincaps.rst). The
 * document comes from the daemon, a peer: only bounded patterns are matched and a value that is not a number in
 * range is left out.
 *
 * @example
 * parseDomainCaps("<domainCapabilities><vcpu max='255'/></domainCapabilities>").maxCpus; // 255
 */
export function parseDomainCaps(xml: string): LibvirtDomainCaps {
  const doc = xml.slice(0, 1 << 20);
  const max = /<vcpu max=['"](\d{1,6})['"]/.exec(doc)?.[1];
  const machine = /<machine>([A-Za-z0-9._-]{1,64})<\/machine>/.exec(doc)?.[1];
  const disk = /<disk supported=['"]yes['"]>([\s\S]*?)<\/disk>/.exec(doc)?.[1] ?? '';
  const loader = /<loader supported=['"]yes['"]>([\s\S]*?)<\/loader>/.exec(doc)?.[1] ?? '';
  const n = max === undefined ? undefined : Number(max);
  return {
    ...(n !== undefined && n >= 1 && n <= 65_536 ? { maxCpus: n } : {}),
    ...(machine === undefined ? {} : { machine }),
    diskBuses: enumValues(disk, 'bus'),
    loaders: [...loader.matchAll(/<value>([^<]{1,4096})<\/value>/g)].map((v) => v[1]!),
  };
}
