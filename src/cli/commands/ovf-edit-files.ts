import { copyFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { VesselError } from '../../model/index.js';
import { checkUstarName, safeMemberName } from '../../ova/index.js';
import * as ovf from '../../ovf/index.js';

/**
 * `vessel ovf edit --add-file/--remove-file` (COT's add-file and remove-file), and how files added by any edit
 * reach the package: an OVA member (through `rewriteOva`'s `added`), or a file copied beside the descriptor.
 */

class UsageError extends VesselError<'USAGE'> {}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The options of {@link editFiles}. */
export interface FileOptions {
  addFile?: string[] | undefined;
  fileId?: string[] | undefined;
  removeFile?: string[] | undefined;
  removeFileUsers?: boolean | undefined;
}

/** Adds the file options to `ovf edit`. */
export function fileOptions(c: Command): Command {
  return c
    .option('--add-file <file>', 'add a file to References and to the package (repeatable)', collect)
    .option('--file-id <id>', 'the ovf:id of each --add-file, in order (default: file1, file2...)', collect)
    .option('--remove-file <id|href>', 'remove a file from References and the package (repeatable)', collect)
    .option(
      '--remove-file-users',
      'with --remove-file: also remove the disks (and drives) that use the file, empty the drives that hold it',
    );
}

/**
 * The name a local file gets in the package: its base name, refused when it is no safe member name or (for an
 * OVA) does not fit a ustar header.
 */
export function memberName(path: string, packed: boolean): string {
  const name = basename(path);
  try {
    safeMemberName(name);
    if (packed) checkUstarName(name);
  } catch (e) {
    throw new UsageError('USAGE', `Cannot add "${path}": ${(e as Error).message}`, {
      hint: 'Rename the file first',
    });
  }
  if (Buffer.byteLength(name) > 255)
    throw new UsageError('USAGE', `Cannot add "${path}": its name is longer than 255 bytes`);
  return name;
}

/** The size of a regular file to add; a missing file, a directory or a device is refused. */
export async function regularFileSize(path: string, flag: string): Promise<bigint> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) throw new UsageError('USAGE', `${flag} "${path}": no such file`);
  if (!st.isFile()) throw new UsageError('USAGE', `${flag} "${path}" is not a regular file`);
  return BigInt(st.size);
}

/**
 * Removes then adds files; each added file's local path goes into `added` under its member name, and each
 * removed file's href into `replaced`.
 */
export async function editFiles(
  env: ovf.OvfEnvelope,
  o: FileOptions,
  added: Map<string, string>,
  packed: boolean,
  replaced: Set<string>,
): Promise<void> {
  if (o.removeFileUsers && !o.removeFile?.length)
    throw new UsageError('USAGE', '--remove-file-users goes with --remove-file');
  for (const f of o.removeFile ?? []) {
    const gone = ovf.removeFile(env, f, { cascade: o.removeFileUsers === true });
    added.delete(gone.href);
    replaced.add(gone.href);
  }
  const files = o.addFile ?? [];
  const ids = o.fileId ?? [];
  if (ids.length > 0 && ids.length !== files.length)
    throw new UsageError(
      'USAGE',
      `${files.length} --add-file and ${ids.length} --file-id: give one id per file`,
    );
  for (const [i, path] of files.entries()) {
    const name = memberName(path, packed);
    const size = await regularFileSize(path, '--add-file');
    if (added.has(name)) throw new UsageError('USAGE', `Two files to add are both named "${name}"`);
    ovf.addFile(env, { href: name, id: ids[i], size });
    added.set(name, path);
  }
}

/**
 * Copies the files an edit of a descriptor added next to the output descriptor (where its hrefs point). A file
 * already there is left alone; another file of the same name there is refused before anything is copied, unless
 * the edit removed the file of that name from References (`replaced`). A local file that does not exist (a
 * `--disk` named before it is made) is only referenced.
 */
export async function placeBeside(
  out: string,
  added: ReadonlyMap<string, string>,
  replaced: ReadonlySet<string>,
): Promise<void> {
  const copies: Array<[string, string]> = [];
  const self = basename(out);
  for (const [name, src] of added) {
    if (name === self || name === self.replace(/\.ovf$/i, '.mf') || name === self.replace(/\.ovf$/i, '.cert'))
      throw new UsageError(
        'USAGE',
        `Cannot add "${src}": "${name}" is the name of the descriptor or its manifest`,
        {
          hint: 'Rename the file',
        },
      );
    const dest = join(dirname(out), name);
    const [a, b] = await Promise.all([
      realpath(src).catch(() => undefined),
      realpath(dest).catch(() => undefined),
    ]);
    if (a === undefined || b === a) continue;
    if (b !== undefined && !replaced.has(name))
      throw new UsageError('USAGE', `"${dest}" exists already and is not "${src}": nothing was written`, {
        hint: 'Remove or rename it, or write the descriptor elsewhere with -o',
      });
    copies.push([src, dest]);
  }
  for (const [src, dest] of copies) await copyFile(src, dest);
}
