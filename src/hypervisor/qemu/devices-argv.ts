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
export const NIC_MODELS: Record<string, string> = {
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
 * A NIC as QEMU gets it, in QAPI's shape (`Netdev`, `device_add`'s arguments): the start path renders it to
 * `-netdev`/`-device` arguments (`nicArgs`) and hot-plug sends the same objects as `netdev_add`/`device_add`
 * (driver.ts), so both honour the network configuration alike.
 */
export interface NicPlan {
  netdev:
    | { type: 'user'; id: string; hostfwd?: { str: string }[] }
    | {
        type: 'tap';
        id: string;
        ifname: string;
        script: 'no';
        downscript: 'no';
      };
  device: { driver: string; netdev: string; id: string; mac?: string };
}

/**
 * The plan of one NIC on its network (a Connection not in `networks` is user-mode), or undefined for an adapter on
 * a network of mode `none`, which is left out. A NIC on a bridge gets the tap device the host makes for it
 * (`createTaps`): QEMU attaches by name and runs no helper (its sandbox forbids spawning). Ids come from the
 * InstanceID, so they stay the NIC's own when others are hot-plugged or unplugged.
 */
export function nicPlan(
  n: NicView,
  networks: ReadonlyMap<string, NetworkConfig>,
  uuid: string,
): NicPlan | undefined {
  const driver = nicDevice(n);
  const id = qemuId('net', n.instanceId);
  const config = networks.get(n.connection ?? 'user') ?? { mode: 'user' };
  let netdev: NicPlan['netdev'];
  if (config.mode === 'user') {
    const fwd = config.hostForwards ?? [];
    netdev = { type: 'user', id, ...(fwd.length > 0 ? { hostfwd: fwd.map((str) => ({ str })) } : {}) };
  } else if (config.mode === 'bridge') {
    netdev = { type: 'tap', id, ifname: tapName(uuid, n.instanceId), script: 'no', downscript: 'no' };
  } else {
    return undefined;
  }
  const mac = n.mac === undefined ? undefined : (normalizeMac(n.mac) ?? n.mac);
  return {
    netdev,
    device: { driver, netdev: id, id: qemuId('nic', n.instanceId), ...(mac === undefined ? {} : { mac }) },
  };
}

/** The `-netdev` option text of a plan: `user,id=…,hostfwd=…` or `tap,id=…,ifname=…,script=no,downscript=no`. */
function netdevOption(p: NicPlan['netdev']): string {
  if (p.type === 'user')
    return `user,id=${p.id}${(p.hostfwd ?? []).map((f) => `,hostfwd=${optValue(f.str)}`).join('')}`;
  return `tap,id=${p.id},ifname=${p.ifname},script=${p.script},downscript=${p.downscript}`;
}

/** `-netdev` + `-device` per NIC, rendered from {@link nicPlan}. */
export function nicArgs(
  hw: HardwareView,
  networks: ReadonlyMap<string, NetworkConfig>,
  uuid: string,
): string[] {
  const out: string[] = [];
  for (const n of hw.nics) {
    const plan = nicPlan(n, networks, uuid);
    if (plan === undefined) continue; // an adapter on no network is left out
    const d = plan.device;
    out.push('-netdev', netdevOption(plan.netdev));
    out.push(
      '-device',
      `${d.driver},netdev=${d.netdev},id=${d.id}${d.mac === undefined ? '' : `,mac=${d.mac}`}`,
    );
  }
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
