import { OvaError } from './errors.js';

/** Digest algorithms of OVF manifests (DSP0243 §5.1): SHA-1 (OVF 1.x), SHA-256 (2.x, ovftool's default), SHA-512. */
export type DigestAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** Every algorithm, in the order they are tried when a manifest's algorithm is not known yet. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha1', 'sha512'];

/** The manifest token of each algorithm (`SHA256(name)= ...`). */
export const MANIFEST_TOKEN: Record<DigestAlgorithm, string> = {
  sha1: 'SHA1',
  sha256: 'SHA256',
  sha512: 'SHA512',
};

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha1: 40, sha256: 64, sha512: 128 };

/** One line of a manifest: the digest of one file. */
export interface ManifestEntry {
  algorithm: DigestAlgorithm;
  /** The file name as written between the parentheses. */
  file: string;
  /** Lower-case hex. */
  digest: string;
  /** 1-based line number in the manifest. */
  line: number;
}

/** Parses an algorithm name as given on the command line or in a manifest (`sha256`, `SHA-256`, `SHA256`). */
export function parseDigestAlgorithm(token: string): DigestAlgorithm | undefined {
  const m = /^sha-?(1|256|512)$/i.exec(token.trim());
  return m ? (`sha${m[1]}` as DigestAlgorithm) : undefined;
}

// Name up to the last ")" followed by "=", so names holding parentheses work; spaces optional around "(" and "="
// (VirtualBox writes `SHA256 (f) = h`, ovftool `SHA256(f)= h`).
const LINE = /^\s*([A-Za-z0-9-]+)\s*\((.*)\)\s*=\s*([0-9A-Fa-f]+)\s*$/;

/**
 * Parses a manifest (`.mf`). Accepts the strict form `SHA256(file)= hex` and VirtualBox's `SHA256 (file) = hex`,
 * CRLF line ends, upper- or lower-case hex and blank lines. Throws `OVA_MANIFEST_SYNTAX` naming the line for
 * anything else: an unknown algorithm, a digest of the wrong length, or two different digests of one file.
 *
 * @example
 * parseManifest('SHA256(vm.ovf)= 4aac...\n')[0]?.file; // 'vm.ovf'
 */
export function parseManifest(text: string | Uint8Array, file = 'manifest'): ManifestEntry[] {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  const entries: ManifestEntry[] = [];
  const seen = new Map<string, string>();
  const lines = s.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const fail = (why: string): never => {
      throw new OvaError('OVA_MANIFEST_SYNTAX', `${file} line ${i + 1}: ${why}`, {
        member: file,
        hint: 'Each line must read ALGORITHM(file)= hexdigest, e.g. SHA256(disk1.vmdk)= 3f2a...',
      });
    };
    const m = LINE.exec(raw);
    if (!m) fail(`cannot read ${JSON.stringify(raw.slice(0, 80))}`);
    const [, token, name, hex] = m!;
    const algorithm = parseDigestAlgorithm(token!);
    if (algorithm === undefined) fail(`unknown digest algorithm "${token}" (SHA1, SHA256 or SHA512)`);
    const alg = algorithm!;
    if (hex!.length !== HEX_LENGTH[alg]) {
      fail(`a ${MANIFEST_TOKEN[alg]} digest has ${HEX_LENGTH[alg]} hex digits, "${name}" has ${hex!.length}`);
    }
    const digest = hex!.toLowerCase();
    const key = `${alg}\u0000${name}`;
    const before = seen.get(key);
    if (before !== undefined && before !== digest)
      fail(`two different ${MANIFEST_TOKEN[alg]} digests of "${name}"`);
    if (before === undefined) entries.push({ algorithm: alg, file: name!, digest, line: i + 1 });
    seen.set(key, digest);
  }
  return entries;
}

/**
 * Writes a manifest in the strict form every consumer accepts (`SHA256(file)= hex`, LF line ends; ESXi refuses
 * VirtualBox's spaced form).
 */
export function formatManifest(
  entries: ReadonlyArray<{ algorithm: DigestAlgorithm; file: string; digest: string }>,
): string {
  return entries.map((e) => manifestLine(e.algorithm, e.file, e.digest)).join('');
}

/** One manifest line, newline included. */
export function manifestLine(algorithm: DigestAlgorithm, file: string, digest: string): string {
  return `${MANIFEST_TOKEN[algorithm]}(${file})= ${digest}\n`;
}

/** Length in bytes of the manifest line of `file`: fixed for a given name and algorithm. */
export function manifestLineLength(algorithm: DigestAlgorithm, file: string): number {
  return Buffer.byteLength(manifestLine(algorithm, file, '0'.repeat(HEX_LENGTH[algorithm])));
}
