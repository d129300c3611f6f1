import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One entry of a walked tree, with its path relative to the root walked. */
export interface TreeEntry {
  path: string;
  abs: string;
  kind: 'dir' | 'file' | 'socket' | 'link' | 'other';
  mode: number;
}

/**
 * Every entry under `root` (not following links), and under the target of each symbolic link named in
 * `follow` (the run directory `STATE/run` when it lies in /tmp), with their modes.
 */
export function walkTree(root: string, follow: string[] = ['run']): TreeEntry[] {
  const out: TreeEntry[] = [];
  const visit = (abs: string, base: string, prefix: string) => {
    const st = lstatSync(abs);
    const kind = st.isDirectory()
      ? 'dir'
      : st.isFile()
        ? 'file'
        : st.isSocket()
          ? 'socket'
          : st.isSymbolicLink()
            ? 'link'
            : 'other';
    const path = join(prefix, relative(base, abs)) || '.';
    out.push({ path, abs, kind, mode: st.mode & 0o7777 });
    if (kind === 'dir') for (const e of readdirSync(abs)) visit(join(abs, e), base, prefix);
    if (kind === 'link' && abs !== root && follow.includes(relative(root, abs))) {
      const target = readlinkSync(abs);
      visit(target, target, `${path}->`);
    }
  };
  visit(root, root, '');
  return out;
}

/** The entries that group or others can use (links excepted: their own mode means nothing on Linux). */
export function exposed(entries: TreeEntry[]): string[] {
  return entries
    .filter((e) => e.kind !== 'link' && (e.mode & 0o077) !== 0)
    .map((e) => `${e.path} (${e.kind} ${e.mode.toString(8)})`);
}

/** The regular files of a tree whose bytes contain `marker`. */
export function filesContaining(entries: TreeEntry[], marker: string): string[] {
  const needle = Buffer.from(marker);
  return entries.filter((e) => e.kind === 'file' && readFileSync(e.abs).includes(needle)).map((e) => e.path);
}
