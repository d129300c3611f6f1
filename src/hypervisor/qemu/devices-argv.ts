import { type HardwareView, type NicView, normalizeMac } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import type { QemuHandles } from './handles.js';
import { optValue, qemuId, tapName } from './options.js';

/** How a network name (a NIC's Connection) is realised on this host. */
export type NetworkConfig =
  | { mode: 'user'; hostForwards?: string[] }
  | { mode: 'bridge'; bridge: string }
  | { mode: 'none' };

/** QEMU device per NIC ResourceSubType (OVF/VMware spellings included, compared case-insensitively). */
const NIC_MODELS: Record<string, string> = {
  e1000: 'e1000',
  e1000e: 'e1000e',
  virtio: 'virtio-net-pci',
  'virtio-net': 'virtio-net-pci',
  'virtio-net-pci': 'virtio-net-pci',
  vmxnet3: 'vmxnet3',
  pcnet32: 'pcnet',
  pcnet: 'pcnet',
  rtl8139: 'rtl8139',
};

/** The QEMU device of a NIC, or `NOT_SUPPORTED`; no subtype means e1000, which every guest drives. */
export function nicDevice(n: NicView): string {
  const dev = NIC_MODELS[(n.subType ?? 'e1000').toLowerCase()];
  if (dev === undefined) {
    throw new HypervisorError(
      'NOT_SUPPORTED',
      `NIC "${n.instanceId}": model "${n.subType}" is not available`,
      {
        hint: `Known models: ${Object.keys(NIC_MODELS).join(', ')}`,
      },
    );
  }
  return dev;
}

/**
 * `-netdev` + `-device` per NIC; networks not in `networks` are user-mode. A NIC on a bridge gets the tap device
 * the host made for it (`createTaps`): QEMU attaches by name and runs no helper (its sandbox forbids spawning).
 */
export function nicArgs(
  hw: HardwareView,
  networks: ReadonlyMap<string, NetworkConfig>,
  uuid: string,
): string[] {
  const out: string[] = [];
  hw.nics.forEach((n, i) => {
    const dev = nicDevice(n);
    const netId = `net${i}`;
    const config = networks.get(n.connection ?? 'user') ?? { mode: 'user' };
    if (config.mode === 'user') {
      const fwd = (config.hostForwards ?? []).map((f) => `,hostfwd=${optValue(f)}`).join('');
      out.push('-netdev', `user,id=${netId}${fwd}`);
    } else if (config.mode === 'bridge') {
      out.push('-netdev', `tap,id=${netId},ifname=${tapName(uuid, i)},script=no,downscript=no`);
    } else {
      return; // an adapter on no network is left out
    }
    const mac = n.mac === undefined ? '' : `,mac=${normalizeMac(n.mac) ?? n.mac}`;
    out.push('-device', `${dev},netdev=${netId},id=${qemuId('nic', n.instanceId)}${mac}`);
  });
  return out;
}

/** Paths of the console's unix socket and log file. */
export interface ConsolePaths {
  socket: string;
  log: string;
  /** Where extra serial ports (index >= 1) log, by index. */
  extraLog: (index: number) => string;
}

/**
 * Serial ports: the first is the console (a unix socket the host listens on, logged to a file the host opened);
 * others write to log files the host opened.
 */
export function serialArgs(hw: HardwareView, console: ConsolePaths, h: QemuHandles): string[] {
  const out: string[] = [];
  hw.serials.forEach((_s, i) => {
    if (i === 0) {
      const sock = h.listen(console.socket);
      const log = h.file(console.log, 'append', 'serial0-log');
      out.push(
        ...log.args,
        '-chardev',
        `socket,id=serial0,fd=${sock},server=on,wait=off,logfile=${log.path},logappend=on`,
      );
    } else {
      const log = h.file(console.extraLog(i), 'truncate', `serial${i}-log`);
      out.push(...log.args, '-chardev', `file,id=serial${i},path=${log.path}`);
    }
    out.push('-serial', `chardev:serial${i}`);
  });
  return out;
}

const VGA: Record<string, string> = {
  vga: 'VGA',
  std: 'VGA',
  cirrus: 'cirrus-vga',
  qxl: 'qxl-vga',
  vmware: 'vmware-svga',
  vmvga: 'vmware-svga',
  svga: 'vmware-svga',
  virtio: 'virtio-vga',
  bochs: 'bochs-display',
};

/**
 * Graphics, display and USB: no graphics RASD means no display at all; a graphics RASD whose Connection is
 * `vnc` gets a VNC server on 127.0.0.1 (display `vncDisplay`), and a USB tablet when there is a USB controller.
 */
export function displayArgs(hw: HardwareView, vncDisplay: number | undefined): string[] {
  const out: string[] = [];
  const g = hw.graphics[0];
  let vnc = false;
  if (g !== undefined) {
    const dev = VGA[(g.subType ?? 'vga').toLowerCase()] ?? 'VGA';
    out.push('-device', `${dev},id=${qemuId('video', g.instanceId)}`);
    vnc = (g.connection ?? '').toLowerCase() === 'vnc';
  }
  if (vnc && vncDisplay !== undefined) out.push('-display', 'none', '-vnc', `127.0.0.1:${vncDisplay}`);
  else out.push('-display', 'none');
  hw.usb.forEach((u, i) => {
    const sub = (u.subType ?? 'xhci').toLowerCase();
    const dev = sub.includes('ehci')
      ? 'usb-ehci'
      : sub.includes('uhci') || sub.includes('piix')
        ? 'piix3-usb-uhci'
        : 'qemu-xhci';
    out.push('-device', `${dev},id=usb${i}`);
    if (i === 0 && g !== undefined) out.push('-device', `usb-tablet,bus=usb${i}.0`);
  });
  return out;
}

/** QEMU's sound devices by the subtypes producers write (VirtualBox: ensoniq1371, AC97, SB16, HDA; VMware: hdaudio, es1371, sb16). */
function soundDevice(subType: string | undefined): string[] {
  const sub = (subType ?? '').toLowerCase();
  if (sub.includes('ac97')) return ['AC97'];
  if (sub.includes('sb16')) return ['sb16'];
  if (sub.includes('hda') || sub.includes('hdaudio')) return ['intel-hda', 'hda-duplex'];
  return ['ES1370']; // ensoniq1371/es1371 and unnamed cards: QEMU's Ensoniq AudioPCI
}

/**
 * Sound cards, played into a silent audio backend: the guest sees the card it was built for, and the host, which
 * has no sound, plays nothing.
 */
export function soundArgs(hw: HardwareView): string[] {
  if (hw.sound.length === 0) return [];
  const out = ['-audiodev', 'none,id=snd0'];
  hw.sound.forEach((card) => {
    const [dev, codec] = soundDevice(card.subType);
    const id = qemuId('sound', card.instanceId);
    if (codec === undefined) out.push('-device', `${dev},id=${id},audiodev=snd0`);
    else out.push('-device', `${dev},id=${id}`, '-device', `${codec},bus=${id}.0,audiodev=snd0`);
  });
  return out;
}
