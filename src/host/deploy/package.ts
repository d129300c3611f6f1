import { constants } from 'node:fs';
import { lstat, open, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import { chunkName, readOvaDescriptor, safeMemberName, type TarSource } from '../../ova/index.js';
import { type OvfEnvelope, parseOvf } from '../../ovf/index.js';
import { HostError } from '../errors.js';
import { isRemoteHref } from './checks.js';

/**
 * The package a deploy reads: an OVA (a tar archive) or an OVF descriptor with its files beside it. Both are read
 * through the OVA reader, so manifest, certificate, chunk and gzip handling are the same: a descriptor folder is
 * presented to it as a tar stream of the descriptor, its `.mf` and `.cert`, and the files its References name
 * (chunks `href.000000000`, ... when `ovf:chunkSize` is set), each read from inside the folder only.
 */
export interface DeployPackage {
  kind: 'ova' | 'ovf';
  path: string;
  /** The descriptor's bytes as read when the package was opened. */
  descriptor: Buffer;
  envelope: OvfEnvelope;
  /** Bytes the package holds, for progress. */
  bytes: number;
  /** A fresh archive stream (or the OVA's path) for the OVA reader. */
  source(): TarSource;
}

const MAX_DESCRIPTOR_BYTES = 32 << 20;

function packageError(e: unknown, path: string): never {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') throw new HostError('DEPLOY_PACKAGE', `The package ${path} does not exist`);
  throw e;
}

/** Opens a package and reads (and parses) its descriptor, without reading any disk. */
export async function openDeployPackage(path: string): Promise<DeployPackage> {
  const st = await stat(path).catch((e: unknown) => packageError(e, path));
  if (!st.isFile()) throw new HostError('DEPLOY_PACKAGE', `The package ${path} is not a file`);
  if (/\.ovf$/i.test(path)) return openFolder(path, st.size);
  const { name, data } = await readOvaDescriptor(path);
  const envelope = parseOvf(data, { file: `${path}!${name}` });
  return { kind: 'ova', path, descriptor: data, envelope, bytes: st.size, source: () => path };
}

async function openFolder(path: string, size: number): Promise<DeployPackage> {
  if (size > MAX_DESCRIPTOR_BYTES)
    throw new HostError('DEPLOY_PACKAGE', `The descriptor ${path} is over ${MAX_DESCRIPTOR_BYTES} bytes`);
  const descriptor = await readFile(path);
  const envelope = parseOvf(descriptor, { file: path });
  const dir = await realpath(dirname(path));
  const members = await folderMembers(path, dir, envelope);
  const bytes = members.reduce((n, m) => n + m.size, descriptor.length);
  const name = basename(path);
  return {
    kind: 'ovf',
    path,
    descriptor,
    envelope,
    bytes,
    source: () => Readable.from(folderTar(name, descriptor, members)),
  };
}

interface FolderMember {
  name: string;
  /** The file's real path, inside the folder. */
  path: string;
  size: number;
  /** The file as it was checked (device and inode): what is read later must be that same file. */
  dev: number;
  ino: number;
}

/**
 * A regular file of the folder, or undefined when there is none by that name. A name whose real path (links
 * followed) is outside the folder, a link that leads nowhere, and anything that is not a regular file (a device,
 * a fifo, a socket, a folder) are refused with `DEPLOY_PACKAGE`.
 */
async function inside(dir: string, name: string): Promise<FolderMember | undefined> {
  const p = join(dir, name);
  const l = await lstat(p).catch(() => undefined);
  if (l === undefined) return undefined;
  const real = await realpath(p).catch(() => undefined);
  if (real === undefined)
    throw new HostError('DEPLOY_PACKAGE', `"${name}" in ${dir} is a link that leads to no file`);
  if (!real.startsWith(dir + sep)) {
    throw new HostError('DEPLOY_PACKAGE', `"${name}" leads out of the package folder ${dir}`);
  }
  const st = await stat(real);
  if (!st.isFile()) throw new HostError('DEPLOY_PACKAGE', `"${name}" in ${dir} is not a regular file`);
  return { name, path: real, size: st.size, dev: st.dev, ino: st.ino };
}

/**
 * Reads a member as it was checked: opened without following a link (`O_NOFOLLOW`) or waiting on a fifo
 * (`O_NONBLOCK`), and refused unless it is still the same regular file, so that a file swapped for a link or a
 * device after the check is never read.
 */
async function* readMember(m: FolderMember): AsyncGenerator<Buffer> {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const fh = await open(m.path, flags).catch((e: unknown) => {
    throw new HostError('DEPLOY_PACKAGE', `"${m.name}" changed while it was being deployed`, { cause: e });
  });
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.dev !== m.dev || st.ino !== m.ino)
      throw new HostError('DEPLOY_PACKAGE', `"${m.name}" changed while it was being deployed`);
    yield* fh.createReadStream({ highWaterMark: 1 << 20, start: 0, end: m.size - 1, autoClose: false });
  } finally {
    await fh.close();
  }
}

/** The manifest, certificate and referenced files of a descriptor folder, in the order an OVA stores them. */
async function folderMembers(path: string, dir: string, env: OvfEnvelope): Promise<FolderMember[]> {
  const base = basename(path).replace(/\.ovf$/i, '');
  const out: FolderMember[] = [];
  for (const extra of [`${base}.mf`, `${base}.cert`]) {
    const m = await inside(dir, extra);
    if (m) out.push(m);
  }
  for (const f of env.references) {
    if (isRemoteHref(f.href)) continue;
    const href = safeMemberName(f.href);
    if (f.chunkSize === undefined) {
      const m = await inside(dir, href);
      if (m) out.push(m);
      continue;
    }
    for (let i = 0; i < 1_000_000; i++) {
      const m = await inside(dir, chunkName(href, i));
      if (!m) break;
      out.push(m);
    }
  }
  return out;
}

/** A ustar stream of the folder's package: the descriptor (as read at open), then the members as they are now. */
async function* folderTar(name: string, descriptor: Buffer, members: FolderMember[]): AsyncGenerator<Buffer> {
  const p = tarPack();
  const write = async () => {
    p.entry({ name, size: descriptor.length }, descriptor);
    for (const m of members) {
      await new Promise<void>((resolve, reject) => {
        const entry = p.entry({ name: m.name, size: m.size }, (e) => (e ? reject(e) : resolve()));
        // A failed read destroys the archive stream and this entry with it: its error is the one rejected here,
        // never an unhandled 'error' event that would bring the host down.
        entry.on('error', reject);
        if (m.size === 0) return;
        (async () => {
          for await (const c of readMember(m)) {
            if (!entry.write(c as Buffer)) await new Promise<void>((r) => entry.once('drain', () => r()));
          }
          (entry as unknown as { end(): void }).end();
        })().catch(reject);
      });
    }
    p.finalize();
  };
  const writing = write().catch((e: unknown) => p.destroy(e as Error));
  for await (const c of p as AsyncIterable<Buffer>) yield c;
  await writing;
}
