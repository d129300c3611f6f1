import { mkdir, open, realpath, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ioError, OvaError } from './errors.js';
import { OvaReader, type ReadOvaOptions } from './reader.js';
import type { OvaReport } from './report.js';
import type { TarSource } from './tar-read.js';

/** What {@link unpackOva} wrote. */
export interface UnpackResult extends OvaReport {
  /** The files written, in archive order. */
  written: string[];
}

/**
 * Unpacks an OVA into `dir` (created if needed) as an OVF package folder: every member is written as stored
 * (chunks stay chunks, gzip members stay compressed, so the descriptor and manifest still describe the folder).
 * The archive is read and verified in one streaming pass with the same checks as `verifyOva`; at the first
 * problem the files written so far are removed and the error is thrown. Nothing is ever written outside `dir`:
 * names are checked, every parent is resolved and must stay inside, and files are created exclusively (an
 * existing file or symlink in the way is an error, never followed).
 */
export async function unpackOva(
  source: TarSource,
  dir: string,
  options: Omit<ReadOvaOptions, 'collect'> = {},
): Promise<UnpackResult> {
  let createdDir: string | undefined;
  try {
    createdDir = await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError(e, dir, 'create');
  }
  const root = await realpath(dir);
  const written: string[] = [];
  const reader = new OvaReader(source, { ...options, collect: false });
  try {
    for await (const m of reader) {
      const target = await insideTarget(root, m.name);
      const fh = await open(target, 'wx', 0o644).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(e, target, 'create');
        throw new OvaError('IO_ERROR', `Refusing to overwrite "${target}": something is already there`, {
          member: m.name,
          cause: e,
        });
      });
      written.push(target);
      await pipeline(m.body, fh.createWriteStream());
    }
  } catch (e) {
    if (createdDir !== undefined) await rm(createdDir, { recursive: true, force: true });
    else await Promise.all(written.map((f) => rm(f, { force: true })));
    throw e;
  }
  return { ...reader.report(), written };
}

/** The path of member `name` under `root`, creating its parent folders, refusing anything that leads outside. */
export async function insideTarget(root: string, name: string): Promise<string> {
  const target = join(root, name);
  if (!target.startsWith(root + sep)) {
    throw new OvaError('OVA_UNSAFE_NAME', `Refusing to write "${name}" outside ${root}`, { member: name });
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const real = await realpath(parent);
  if (real !== root && !real.startsWith(root + sep)) {
    throw new OvaError(
      'OVA_UNSAFE_NAME',
      `Refusing to write "${name}": its folder resolves outside ${root}`,
      {
        member: name,
      },
    );
  }
  return join(real, name.slice(name.lastIndexOf('/') + 1));
}
