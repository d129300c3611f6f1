import { OvfError } from '../errors.js';
import { allContents, findSection, findSections, hardwareOf } from '../select.js';
import type { OvfEnvelope, OvfFile } from '../types.js';
import { ext, freeId } from './core.js';
import { removeDisk } from './devices.js';

/**
 * Files of the package (COT's add-file and remove-file): References/File entries (DSP0243 §7.1) and what refers
 * to them — a Disk's `ovf:fileRef` (§9.1), an item's `HostResource` `ovf:/file/<id>` (§9.5, a CD-ROM image) and
 * a ProductSection Icon's `ovf:fileRef`.
 */

/** An `ovf:id` (xs:ID): an XML NCName, limited here to ASCII so that every consumer reads it the same way. */
const XS_ID = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A file to add to References. */
export interface FileFields {
  /** The `ovf:href`: the file's name in the package. */
  href: string;
  /** The `ovf:id` (default: `file1`, `file2`... the first free). */
  id?: string | undefined;
  /** The file's size in bytes (`ovf:size`). */
  size?: bigint | undefined;
}

/**
 * Adds a File to References. An id or href already in References is refused, as is an id that is no xs:ID.
 * Returns the file's id.
 *
 * @example
 * addFile(env, { href: 'config.txt', size: 78n }); // 'file4'
 */
export function addFile(env: OvfEnvelope, f: FileFields): string {
  if (f.href === '') throw new OvfError('OVF_EDIT', 'A file needs a name (ovf:href)');
  const clash = env.references.find((x) => x.href === f.href);
  if (clash)
    throw new OvfError('OVF_EDIT', `File "${f.href}" is already in References (id "${clash.id}")`, {
      hint: 'Remove it in the same edit (--remove-file, with --remove-file-users when a drive holds it) to replace it',
    });
  const ids = env.references.map((x) => x.id);
  const id = f.id ?? freeId(ids, 'file');
  if (!XS_ID.test(id))
    throw new OvfError('OVF_EDIT', `"${id}" cannot be a file id`, {
      hint: 'An id starts with a letter or "_" and has only letters, digits, "_", "-" and "."',
    });
  if (ids.includes(id)) throw new OvfError('OVF_EDIT', `A file with id "${id}" is already in References`);
  env.references.push({ id, href: f.href, size: f.size?.toString(), ...ext() });
  return id;
}

/** What refers to a file: disk ids, items (system id and InstanceID or name) and icons. */
export interface FileUsers {
  disks: string[];
  items: string[];
  icons: number;
}

/** The File with this id, else the one with this href; refuses a name that is neither. */
export function findFile(env: OvfEnvelope, idOrHref: string): OvfFile {
  const f = env.references.find((x) => x.id === idOrHref) ?? env.references.find((x) => x.href === idOrHref);
  if (f === undefined)
    throw new OvfError('OVF_EDIT', `No file in References has the id or href "${idOrHref}"`, {
      hint: env.references.length
        ? `Files: ${env.references.map((x) => `${x.id} (${x.href})`).join(', ')}`
        : 'References is empty',
    });
  return f;
}

const fileUri = (id: string) => new Set([`ovf:/file/${id}`, `/file/${id}`]);

/** Everything in the descriptor that refers to the file with this id. */
export function fileUsers(env: OvfEnvelope, id: string): FileUsers {
  const uris = fileUri(id);
  const disks = (findSection(env.sections, 'DiskSection')?.disks ?? [])
    .filter((d) => d.fileRef === id)
    .map((d) => d.diskId);
  const items: string[] = [];
  let icons = 0;
  for (const c of allContents(env)) {
    for (const i of hardwareOf(c)?.items ?? [])
      if ((i.resource.properties.HostResource ?? []).some((h) => uris.has(h)))
        items.push(`${c.id}/${i.resource.properties.ElementName ?? i.resource.properties.InstanceID}`);
    for (const p of findSections(c.sections, 'ProductSection'))
      icons += p.icons.filter((x) => x.fileRef === id).length;
  }
  return { disks, items, icons };
}

/**
 * Removes a File (named by id or href). A file that a Disk, an item or an icon still refers to is refused,
 * unless `cascade`: then its disks go too (with their drives, see {@link removeDisk}), items that hold it as
 * media are left empty (an empty CD-ROM drive stays) and icons that show it are dropped. Returns the removed file.
 *
 * @example
 * removeFile(env, 'sample_cfg.txt');
 * removeFile(env, 'file1', { cascade: true }); // also the disk on it and its drive
 */
export function removeFile(env: OvfEnvelope, idOrHref: string, o: { cascade?: boolean } = {}): OvfFile {
  const f = findFile(env, idOrHref);
  const users = fileUsers(env, f.id);
  const said = [
    ...users.disks.map((d) => `disk "${d}"`),
    ...users.items.map((i) => `item "${i}"`),
    ...(users.icons ? [`${users.icons} icon(s)`] : []),
  ];
  if (said.length > 0 && !o.cascade)
    throw new OvfError('OVF_EDIT', `File "${f.href}" (id "${f.id}") is still used by ${said.join(', ')}`, {
      hint: 'Remove those first, or give --remove-file-users to remove them with the file',
    });
  for (const d of users.disks) removeDisk(env, d);
  const uris = fileUri(f.id);
  for (const c of allContents(env)) {
    for (const i of hardwareOf(c)?.items ?? []) {
      const hr = i.resource.properties.HostResource;
      if (hr === undefined || !hr.some((h) => uris.has(h))) continue;
      const left = hr.filter((h) => !uris.has(h));
      if (left.length) i.resource.properties.HostResource = left;
      else delete i.resource.properties.HostResource;
    }
    for (const p of findSections(c.sections, 'ProductSection'))
      p.icons = p.icons.filter((x) => x.fileRef !== f.id);
  }
  env.references = env.references.filter((x) => x !== f);
  return f;
}
