import { HypervisorError } from './errors.js';

/**
 * A parsed driver URI, libvirt's shape: `scheme[+transport]:[//[user@]host[:port]]/path[?params]`, or
 * `libvirt:<libvirt URI>` whose rest is kept `opaque`. Parsing accepts any host part; each driver's factory
 * refuses what it cannot do (`NOT_SUPPORTED` naming the URI).
 */
export interface DriverUri {
  /** The URI as given. */
  text: string;
  /** `qemu`, `test`, `libvirt`: which factory opens it. */
  scheme: string;
  /** `ssh`, `tls`, `tcp`, `unix` in `qemu+ssh://`; undefined without one. */
  transport?: string;
  user?: string;
  host?: string;
  port?: number;
  /** `/embed`, `/system`, `/default`; empty for an opaque URI. */
  path: string;
  params: URLSearchParams;
  /** For `libvirt:qemu:///system`: `qemu:///system`. */
  opaque?: string;
}

/** Longer URIs are refused: a driver URI is a short configuration string. */
export const MAX_DRIVER_URI = 2048;

const SCHEME = /^([a-z][a-z0-9-]*)(?:\+([a-z][a-z0-9-]*))?:/i;

function bad(uri: string, why: string): HypervisorError {
  const shown = uri.length > 80 ? `${uri.slice(0, 77)}...` : uri;
  return new HypervisorError('DRIVER_URI', `"${shown}" is not a driver URI: ${why}`, {
    hint: 'Use test:///default, qemu:///embed or qemu+ssh://host/system',
  });
}

/**
 * Parses a driver URI (`test:///default`, `qemu:///embed?accel=tcg`, `qemu+ssh://root@h:22/system`,
 * `libvirt:qemu:///system`), refusing with `DRIVER_URI` what is not one. Hosts are accepted here; a factory
 * decides whether it can reach them.
 *
 * @example
 * parseDriverUri('qemu+ssh://h/system'); // { scheme: 'qemu', transport: 'ssh', host: 'h', path: '/system', ... }
 */
export function parseDriverUri(uri: string): DriverUri {
  if (uri.length > MAX_DRIVER_URI) throw bad(uri, `it is longer than ${MAX_DRIVER_URI} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) throw bad(uri, 'it contains spaces or control characters');
  const m = SCHEME.exec(uri);
  if (m === null) throw bad(uri, 'it has no scheme');
  const scheme = m[1]!.toLowerCase();
  const transport = m[2]?.toLowerCase();
  if (scheme === 'libvirt') {
    const opaque = uri.slice(m[0].length);
    if (transport !== undefined) throw bad(uri, 'libvirt: takes no transport; put it in the libvirt URI');
    if (opaque === '') throw bad(uri, 'libvirt: needs a libvirt URI after it, e.g. libvirt:qemu:///system');
    return { text: uri, scheme, path: '', params: new URLSearchParams(), opaque };
  }
  if (!uri.slice(m[0].length).startsWith('//')) throw bad(uri, `it needs "//" after "${m[0]}"`);
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw bad(uri, 'its host or path cannot be read');
  }
  if (u.hash !== '') throw bad(uri, 'it has a fragment (#...)');
  if (u.password !== '') throw bad(uri, 'it carries a password; drivers authenticate on their own');
  if (!u.pathname.startsWith('/')) throw bad(uri, 'its path must start with "/"');
  const out: DriverUri = { text: uri, scheme, path: u.pathname, params: u.searchParams };
  if (transport !== undefined) out.transport = transport;
  if (u.username !== '') out.user = decodeURIComponent(u.username);
  if (u.hostname !== '') out.host = u.hostname;
  if (u.port !== '') out.port = Number(u.port);
  return out;
}

/** True when the URI names this machine only: no transport, no user, no host, no port. */
export function isLocalUri(u: DriverUri): boolean {
  return u.transport === undefined && u.user === undefined && u.host === undefined && u.port === undefined;
}

/**
 * The `NOT_SUPPORTED` a factory throws for a URI it cannot open, naming the URI and what it can do instead.
 *
 * @example
 * throw refuseUri(uri, 'the QEMU driver runs QEMU on this host only', 'Use qemu:///embed');
 */
export function refuseUri(u: DriverUri, why: string, hint?: string): HypervisorError {
  return new HypervisorError('NOT_SUPPORTED', `Cannot open "${u.text}": ${why}`, hint ? { hint } : {});
}

/**
 * Refuses query parameters a factory does not know (`test:///default?x=1`), so a misspelt option is never ignored.
 */
export function checkParams(u: DriverUri, known: readonly string[], driver: string): void {
  for (const key of u.params.keys()) {
    if (!known.includes(key)) {
      throw refuseUri(
        u,
        `the ${driver} driver has no "${key}" parameter`,
        known.length > 0 ? `Known: ${known.join(', ')}` : `The ${driver} driver takes no parameters`,
      );
    }
  }
}
