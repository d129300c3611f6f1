import { existsSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { probe } from '../../disk/index.js';
import { DEPLOY_METADATA } from '../deploy/deploy.js';
import { DEPLOY_MARKER } from '../deploy/staging.js';
import { HostError } from '../errors.js';

/**
 * What an export may read (docs/security.md, "Exports"): a deployed system's files are all in its own folder
 * (`STATE/vms/UUID/`, where its deploy wrote them and the QEMU driver keeps its overlays); an export of such a
 * system reads nothing else, whatever its stored definition says (an older or tampered store may name a host
 * path). A system an admin defined may use images elsewhere, which its definition was checked for when it was
 * defined; those are taken as they are.
 */

/** Whose files an export reads, and by which rule. */
export interface ExportConfinement {
  /** The system's name, for messages. */
  name: string;
  /** `STATE/vms/UUID`. */
  vmDir: string;
  /** True when the system came from a deploy: then every file must be a regular file of `vmDir`. */
  deployed: boolean;
}

/**
 * Whether a system came from a deploy: its folder holds the deploy's marker, or its metadata the package it was
 * deployed from (both written by the deploy only).
 */
export function wasDeployed(vmDir: string, metadata: Readonly<Record<string, string>>): boolean {
  const pkg = metadata[DEPLOY_METADATA.package];
  return existsSync(join(vmDir, DEPLOY_MARKER)) || (pkg !== undefined && pkg !== '');
}

function refuse(c: ExportConfinement, what: string, path: string, why: string): never {
  throw new HostError(
    'EXPORT_HOST_PATH',
    `Cannot export "${c.name}": ${what} is ${JSON.stringify(path)}, ${why}; a deployed system's export reads only the files of its folder ${c.vmDir}`,
    {
      hint: 'The stored definition names a file the host did not create for this system; redefine it with its own images',
    },
  );
}

/**
 * Checks one file an export would read for `what` (`the image of disk "4"`): for a deployed system it must be,
 * with every link followed, a regular file inside the system's folder. Throws `EXPORT_HOST_PATH` otherwise.
 */
export async function checkExportFile(c: ExportConfinement, what: string, path: string): Promise<void> {
  if (!c.deployed) return;
  const dir = resolve(c.vmDir);
  if (!resolve(path).startsWith(dir + sep)) refuse(c, what, path, 'outside its folder');
  const real = await realpath(path).catch(() => undefined);
  const realDir = await realpath(dir).catch(() => dir);
  if (real === undefined) return; // missing: the caller says FILE_NOT_FOUND
  if (!real.startsWith(realDir + sep)) refuse(c, what, path, `a link to ${JSON.stringify(real)}`);
  const st = await lstat(real);
  if (!st.isFile()) refuse(c, what, path, 'not a regular file');
}

/**
 * Checks the references of a deployed system's disk image: the base image (made by the deploy) refers to no
 * other file, and its overlay, when there is one, refers only to that base. Throws `EXPORT_HOST_PATH`.
 */
export async function checkExportChain(
  c: ExportConfinement,
  instanceId: string,
  base: string,
  overlay: string | undefined,
): Promise<void> {
  if (!c.deployed) return;
  const what = `the image of disk "${instanceId}"`;
  const b = await probe(base);
  const backing = (d: Record<string, unknown>) =>
    typeof d.backingFile === 'string' ? d.backingFile : undefined;
  // A deploy writes every disk as a self-contained qcow2 (deploy/disks.ts): anything else was not made by it.
  if (b.format !== 'qcow2')
    refuse(c, what, base, `a ${b.format} image, not the qcow2 image its deploy wrote`);
  if (backing(b.details) !== undefined)
    refuse(c, what, base, `an image over the backing file ${JSON.stringify(backing(b.details))}`);
  if (b.details.externalDataFile === true)
    refuse(c, what, base, 'an image that keeps its data in another file');
  if (overlay === undefined) return;
  const o = await probe(overlay);
  const ob = backing(o.details);
  if (
    o.format !== 'qcow2' ||
    o.details.externalDataFile === true ||
    ob === undefined ||
    resolve(ob) !== resolve(base)
  )
    refuse(c, `the overlay of disk "${instanceId}"`, overlay, `not an overlay over ${base} alone`);
}
