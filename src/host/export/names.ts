import type { ExportSources } from './disks.js';
import { packageBaseName } from './disks.js';

/**
 * Gives the CD/DVD and floppy images of an export the file names they had in the package the system was deployed
 * from (a deploy stores them as `file-ID`, without the name or its extension), where such a name is free: not the
 * descriptor's, manifest's or certificate's, nor another image's. Media that share an image share the name. Names
 * are made safe as tar members and hrefs the way every package member is (`packageBaseName`).
 *
 * @example
 * keepMediaNames(sources, new Map([['7', 'install.iso']]), 'web1'); // drive 7's File is "install.iso"
 */
export function keepMediaNames(
  sources: ExportSources,
  names: ReadonlyMap<string, string>,
  base: string,
): void {
  const taken = new Set([
    ...['ovf', 'mf', 'cert'].map((x) => `${base}.${x}`),
    ...sources.disks.map((d) => d.href),
    ...sources.media.map((m) => m.href),
  ]);
  const renamed = new Set<string>();
  for (const m of sources.media) {
    const wanted = names.get(m.instanceId);
    if (wanted === undefined || renamed.has(m.fileId)) continue;
    const href = packageBaseName(wanted);
    if (taken.has(href)) continue;
    taken.delete(m.href);
    taken.add(href);
    renamed.add(m.fileId);
    for (const same of sources.media) if (same.fileId === m.fileId) same.href = href;
  }
}
