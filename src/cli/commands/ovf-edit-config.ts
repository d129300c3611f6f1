import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import * as disk from '../../disk/index.js';
import { VesselError } from '../../model/index.js';
import * as ovf from '../../ovf/index.js';
import { single } from './ovf-edit-disks.js';
import { memberName, regularFileSize } from './ovf-edit-files.js';

/**
 * `vessel ovf edit --inject-config` (COT's inject-config): configuration files put on a new ISO image in the
 * package, in a CD-ROM drive (an empty one when the system has one, else one added on a free IDE/SATA slot, or
 * where `--controller` says), for the guest to read its day-0 configuration from.
 */

class UsageError extends VesselError<'USAGE'> {}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The options of {@link injectConfig}. */
export interface ConfigOptions {
  injectConfig?: string[] | undefined;
  configIso?: string[] | undefined;
}

/** Adds the inject-config options to `ovf edit`. */
export function configOptions(c: Command): Command {
  return c
    .option(
      '--inject-config <file>',
      'put this file (under its own name) on a new config ISO in a CD-ROM drive (repeatable)',
      collect,
    )
    .option('--config-iso <name>', 'the name of that ISO in the package (default: config.iso)', collect);
}

/**
 * Writes the `--inject-config` files on an ISO image in a temporary directory (pushed to `temps`), adds it to
 * References and puts it in a CD-ROM drive; its local path goes into `added`.
 */
export async function injectConfig(
  env: ovf.OvfEnvelope,
  sys: ovf.OvfContent,
  o: ConfigOptions & { controller?: string[] | undefined },
  added: Map<string, string>,
  packed: boolean,
  temps: string[],
): Promise<void> {
  const files = o.injectConfig ?? [];
  const isoName = single(o.configIso, '--config-iso');
  if (files.length === 0) {
    if (isoName !== undefined) throw new UsageError('USAGE', '--config-iso goes with --inject-config');
    return;
  }
  const name = isoName ?? 'config.iso';
  if (!/\.iso$/i.test(name)) throw new UsageError('USAGE', `--config-iso "${name}" must end in .iso`);
  if (basename(name) !== name)
    throw new UsageError('USAGE', `--config-iso "${name}" must be a file name, not a path`);
  for (const f of files) await regularFileSize(f, '--inject-config');
  const dir = await mkdtemp(join(tmpdir(), 'vessel-inject-config-'));
  temps.push(dir);
  const iso = join(dir, name);
  const member = memberName(iso, packed);
  if (added.has(member)) throw new UsageError('USAGE', `Two files to add are both named "${member}"`);
  await disk.writeIsoImage(
    iso,
    files.map((f) => ({ name: basename(f), path: f })),
    { volumeId: 'config' },
  );
  const fileId = ovf.addFile(env, { href: member, size: BigInt((await stat(iso)).size) });
  ovf.insertMedia(env, sys, fileId, single(o.controller, '--controller'));
  added.set(member, iso);
}
