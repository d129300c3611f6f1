import type { Command } from 'commander';
import { VesselError } from '../../model/index.js';
import * as ovf from '../../ovf/index.js';
import { single } from './ovf-edit-disks.js';

/**
 * `vessel ovf edit` NIC, serial port and system options (COT's edit-hardware --nic-types, --nic-names,
 * --mac-addresses-list, --serial-ports, --serial-connectivity, --virtual-system-type, --delete-all-other-profiles).
 */

class UsageError extends VesselError<'USAGE'> {}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The options of {@link editDevices}. */
export interface DeviceOptions {
  nicModel?: string[] | undefined;
  nicName?: string[] | undefined;
  mac?: string[] | undefined;
  serialPorts?: string[] | undefined;
  serialConnectivity?: string[] | undefined;
  virtualSystemType?: string[] | undefined;
  deleteAllOtherConfigurations?: boolean | undefined;
}

/** Adds the NIC, serial and system options to `ovf edit`. */
export function deviceOptions(c: Command): Command {
  return c
    .option(
      '--nic-model <model>',
      'NIC model (e1000, vmxnet3, virtio...): once for every NIC, or NIC 1, 2... in order',
      collect,
    )
    .option(
      '--nic-name <name>',
      'NIC name: once for every NIC ("eth{0}" counts from 0), or NIC 1, 2... in order',
      collect,
    )
    .option('--mac <mac>', 'MAC address of NIC 1, 2... in order (repeatable)', collect)
    .option('--serial-ports <n>', 'number of serial ports (added or removed at the end)', collect)
    .option(
      '--serial-connectivity <uri>',
      'connection of serial port 1, 2... in order: telnet://host:port, tcp://host:port, a file path, "" for none',
      collect,
    )
    .option(
      '--virtual-system-type <types>',
      `hardware families, e.g. "vmx-07 vmx-14 qemu" (${ovf.VIRTUAL_SYSTEM_TYPES_HINT})`,
      collect,
    )
    .option(
      '--delete-all-other-configurations',
      'keep only the --config deployment option (default: the default one), its hardware and property values folded in',
    );
}

/** Applies the NIC, serial and system-type options, for each `--config` option or for all. */
export function editDevices(
  env: ovf.OvfEnvelope,
  sys: ovf.OvfContent,
  o: DeviceOptions,
  configs: readonly string[],
): void {
  const each: (string | undefined)[] = configs.length > 0 ? [...configs] : [undefined];
  const serialText = single(o.serialPorts, '--serial-ports');
  const serials = serialText === undefined ? undefined : Number(serialText);
  if (serialText !== undefined && !/^\d+$/.test(serialText))
    throw new UsageError('USAGE', `--serial-ports "${serialText}" is not a whole number`);
  for (const c of each) {
    if (o.nicModel?.length) ovf.editNics(env, sys, { what: 'model', values: o.nicModel }, c);
    if (o.nicName?.length) ovf.editNics(env, sys, { what: 'name', values: o.nicName }, c);
    if (o.mac?.length) ovf.editNics(env, sys, { what: 'mac', values: o.mac }, c);
    if (serials !== undefined) ovf.setSerialCount(env, sys, serials, c);
    if (o.serialConnectivity?.length) ovf.setSerialConnectivity(env, sys, o.serialConnectivity, c);
  }
  const vst = single(o.virtualSystemType, '--virtual-system-type');
  if (vst !== undefined) ovf.setVirtualSystemType(sys, vst);
}

/** `--delete-all-other-configurations`: last, after every other edit, with at most one `--config`. */
export function deleteOtherConfigurations(
  env: ovf.OvfEnvelope,
  o: DeviceOptions,
  configs: readonly string[],
): void {
  if (!o.deleteAllOtherConfigurations) return;
  if (configs.length > 1)
    throw new UsageError(
      'USAGE',
      '--delete-all-other-configurations keeps one deployment option: give one --config',
    );
  ovf.keepOnlyConfiguration(env, configs[0]);
}
