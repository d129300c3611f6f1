/**
 * Refusing images that name other files. An image from outside (a package member, `vessel disk convert` input,
 * an image an admin puts in a pool) must be self-contained: if a backing file, extent, parent or data file
 * named by its author were followed, the host would read a file of the author's choosing and copy it into the
 * disk it makes. The one chain the host follows is its own: a VM's qcow2 overlay on its base image
 * ({@link trustedChain}), and even then every image of the chain is probed and pinned.
 */
import { dirname, resolve } from 'node:path';
import { DiskError } from './errors.js';
import { probe } from './probe.js';
import type { ChainImage } from './qemu-img.js';
import { referenceError } from './reference-kinds.js';
import type { ProbeResult } from './types.js';

/** The deepest backing chain {@link trustedChain} follows. */
const MAX_CHAIN = 16;

/**
 * Probes the image at `path` and throws `DISK_EXTERNAL_REFERENCE` when it names any other file (see
 * references.ts for what counts). Returns the probe result otherwise; corruption is left to the caller.
 *
 * @example
 * const info = await assertSelfContained('/tmp/upload.vmdk', 'upload.vmdk');
 */
export async function assertSelfContained(path: string, name: string = path): Promise<ProbeResult> {
  const info = await probe(path);
  const err = referenceError(info, name);
  if (err) throw err;
  return info;
}

/** A backing file name the host follows: a path, with no protocol (`nbd:`), `json:` spec or drive letter. */
function followable(name: string): boolean {
  return name !== '' && !/^[^/]*:/.test(name);
}

/**
 * The backing chain of an image the host made itself (a VM's qcow2 overlay on its base image), from `path`
 * down: each image is probed; only qcow2 backing files named by a path are followed (relative names from the
 * image's folder, as QEMU resolves them), at most {@link MAX_CHAIN} deep and without loops; any other
 * reference anywhere in the chain throws `DISK_EXTERNAL_REFERENCE`. Returns the first image's probe and the
 * chain, which qemu-img is then given explicitly (see qemu-img.ts), so it opens nothing else.
 */
export async function trustedChain(path: string): Promise<{ info: ProbeResult; chain: ChainImage[] }> {
  const chain: ChainImage[] = [];
  let first: ProbeResult | undefined;
  let at = resolve(path);
  for (;;) {
    const info = await probe(at);
    first ??= info;
    const backing = info.references.filter((r) => r.kind === 'qcow-backing');
    const other = info.references.filter(
      (r) => r.kind !== 'qcow-backing' && r.kind !== 'qcow2-backing-format',
    );
    const unfollowable =
      info.format !== 'qcow2' || backing.length > 1 || !backing.every((r) => followable(r.name));
    if (other.length > 0 || (backing.length > 0 && unfollowable))
      throw referenceError({ path: at, references: other.length > 0 ? other : backing })!;
    chain.push({ path: at, format: info.format });
    const next = backing[0];
    if (next === undefined) return { info: first, chain };
    if (chain.length > MAX_CHAIN)
      throw new DiskError(
        'DISK_EXTERNAL_REFERENCE',
        `The backing chain of "${path}" is more than ${MAX_CHAIN} images deep`,
      );
    at = resolve(dirname(at), next.name);
    if (chain.some((c) => c.path === at))
      throw new DiskError('DISK_EXTERNAL_REFERENCE', `The backing chain of "${path}" loops back to "${at}"`);
  }
}
