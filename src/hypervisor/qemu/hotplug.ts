import { readDevices, type VirtualSystemDefinition } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { bootIndexes, machineFor } from './argv.js';
import { QemuHandles } from './handles.js';
import { qemuId } from './options.js';
import { type DriveImage, driveArgs } from './storage-argv.js';

/** Properties of `-device` whose values are integers in QAPI (sent as JSON numbers to `device_add`). */
const INTEGER_PROPS = new Set(['scsi-id', 'lun', 'unit', 'nsid', 'channel', 'bootindex']);

/**
 * Reads a `-device` option text (`driver,key=value,...`; a comma inside a value is written twice) into the
 * arguments `device_add` takes: `{ driver, key: value, ... }`.
 *
 * @example
 * deviceArguments('scsi-hd,bus=scsi0.0,scsi-id=1,drive=drive-7'); // { driver: 'scsi-hd', bus: 'scsi0.0', 'scsi-id': 1, ... }
 */
export function deviceArguments(option: string): Record<string, unknown> {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < option.length; i++) {
    const c = option[i]!;
    if (c === ',' && option[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  const [driver, ...rest] = parts;
  const out: Record<string, unknown> = { driver };
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) throw new HypervisorError('QMP_COMMAND', `"${p}" in "${option}" is not key=value`);
    const key = p.slice(0, eq);
    const value = p.slice(eq + 1);
    out[key] = INTEGER_PROPS.has(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

/**
 * The `device_add` arguments of drive `instanceId` of `def`, built by the start path's own builder (`driveArgs`
 * over the whole definition, as the command line would place it: its controller, bus and unit), without a boot
 * index, which a running system would not use and which could clash with the indexes given at start.
 */
export function driveDevice(
  def: VirtualSystemDefinition,
  instanceId: string,
  image: DriveImage,
): Record<string, unknown> {
  const view = readDevices(def);
  // The other drives' images are not opened: only this drive's -device is kept, and the handles are thrown away.
  const images = new Map<string, DriveImage>(
    view.drives.map((d) => [
      d.instanceId,
      d.instanceId === instanceId ? image : { file: '/dev/null', format: 'raw' },
    ]),
  );
  const argv = driveArgs(view, images, bootIndexes(view), new QemuHandles(), machineFor(def));
  const id = `id=${qemuId('dev', instanceId)}`;
  for (let i = 0; i + 1 < argv.length; i++) {
    if (argv[i] !== '-device') continue;
    const args = deviceArguments(argv[i + 1]!);
    if (`id=${String(args.id)}` !== id) continue;
    delete args.bootindex;
    return args;
  }
  throw new HypervisorError('DEFINITION_INVALID', `Drive "${instanceId}" gives no device to attach`);
}
