import type { TargetDrive, TargetNic, TargetView } from './target.js';
import type { Warnings } from './warnings.js';

/**
 * Boot order in formats that order device classes, not devices (vmx `bios.bootOrder`, VirtualBox `<Boot>`,
 * Hyper-V generation 1 `BootOrder`): the classes a stated order gives, whether reading them back gives the same
 * order, and the other way round.
 */

/** A drive or NIC of a target view. */
export type BootDevice = TargetDrive | TargetNic;

/**
 * The classes of a view's stated boot order, first first, and a warning when they say less than the order does
 * (reading the classes back boots every device of a class, in the file's order).
 */
export function bootClasses<C extends string>(
  v: TargetView,
  classOf: (d: BootDevice) => C | undefined,
  platform: string,
  warnings: Warnings,
): C[] {
  const classes: C[] = [];
  for (const d of v.bootOrder) {
    const c = classOf(d);
    if (c !== undefined && !classes.includes(c)) classes.push(c);
  }
  const all: BootDevice[] = [...v.drives, ...v.nics];
  const back = classes.flatMap((c) => all.filter((d) => classOf(d) === c));
  const same = back.length === v.bootOrder.length && back.every((d, i) => d === v.bootOrder[i]);
  if (!same) {
    const ids = v.bootOrder.map((d) => d.instanceId).join(', ');
    warnings.add(
      'BOOT_ORDER',
      `${platform} orders boot devices by class; the boot order (${ids}) is written as ${classes.join(', ') || 'none'}`,
    );
  }
  return classes;
}

/** The InstanceIDs a class boot order reads as: every device of each class, in the order the file lists them. */
export function idsOfClasses<C extends string>(
  classes: readonly C[],
  devices: readonly { id: string; cls: C }[],
): string[] {
  return classes.flatMap((c) => devices.filter((d) => d.cls === c).map((d) => d.id));
}
