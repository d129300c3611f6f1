import type { DeviceView, NicDevice } from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { QEMU_GRAPHICS, QEMU_NICS, QEMU_SOUND, QEMU_USB, qemuNicModel } from './devices.js';
import type { QemuHandles } from './handles.js';
import { optValue, qemuId, tapName } from './options.js';

/** How a network name (a NIC's Connection) is realised on this host. */
export type NetworkConfig =
  | { mode: 'user'; hostForwards?: string[] }
  | { mode: 'bridge'; bridge: string }
  | { mode: 'none' };

/** The QEMU device of a NIC (`QEMU_NICS`), or `NOT_SUPPORTED`; no subtype means e1000, which every guest drives. */
function nicDevice(n: NicDevice): string {
  const model = qemuNicModel(n);
  const dev = model === undefined ? undefined : QEMU_NICS[model];
  if (dev === undefined) {
    throw new HypervisorError(
      'NOT_SUPPORTED',
      `NIC "${n.instanceId}": model "${(n.subType ?? '').slice(0, 60)}" is not available`,
      { hint: `Models QEMU has: ${Object.keys(QEMU_NICS).join(', ')}` },
    );
  }
  return dev;
}

/**
 * A NIC as QEMU gets it, in QAPI's shape (`Netdev`, `device_add`'s arguments): the start path renders it to
 * `-netdev`/`-device` arguments (`nicArgs`) and hot-plug sends the same objects as `netdev_add`/`device_add`
 * (driver.ts), so both honour the network configuration alike.
 */
interface NicPlan {
  netdev:
    | { type: 'user'; id: string; hostfwd?: { str: string }[] }
    | {
        type: 'tap';
        id: string;
        ifname: string;
        script: 'no';
        downscript: 'no';
      };
  /** `bootindex` only at start, when the boot order names the NIC (network boot). */
  device: { driver: string; netdev: string; id: string; mac?: string; bootindex?: number };
}

/**
 * The plan of one NIC on its network (a Connection not in `networks` is user-mode), or undefined for an adapter on
 * a network of mode `none`, which is left out. A NIC on a bridge gets the tap device the host makes for it
 * (`createTaps`): QEMU attaches by name and runs no helper (its sandbox forbids spawning). Ids come from the
 * InstanceID, so they stay the NIC's own when others are hot-plugged or unplugged. `bootIndex` is its place in
 * the boot order, at start.
 */
export function nicPlan(
  n: NicDevice,
  networks: ReadonlyMap<string, NetworkConfig>,
  uuid: string,
  bootIndex?: number,
): NicPlan | undefined {
  const driver = nicDevice(n);
  const id = qemuId('net', n.instanceId);
  const config = networks.get(n.network ?? 'user') ?? { mode: 'user' };
  let netdev: NicPlan['netdev'];
  if (config.mode === 'user') {
    const fwd = config.hostForwards ?? [];
    netdev = { type: 'user', id, ...(fwd.length > 0 ? { hostfwd: fwd.map((str) => ({ str })) } : {}) };
  } else if (config.mode === 'bridge') {
    netdev = { type: 'tap', id, ifname: tapName(uuid, n.instanceId), script: 'no', downscript: 'no' };
  } else {
    return undefined;
  }
  const mac = n.mac ?? n.macText;
  const device: NicPlan['device'] = { driver, netdev: id, id: qemuId('nic', n.instanceId) };
  if (mac !== undefined) device.mac = mac;
  if (bootIndex !== undefined) device.bootindex = bootIndex;
  return { netdev, device };
}

/** The `-netdev` option text of a plan: `user,id=…,hostfwd=…` or `tap,id=…,ifname=…,script=no,downscript=no`. */
function netdevOption(p: NicPlan['netdev']): string {
  if (p.type === 'user')
    return `user,id=${p.id}${(p.hostfwd ?? []).map((f) => `,hostfwd=${optValue(f.str)}`).join('')}`;
  return `tap,id=${p.id},ifname=${p.ifname},script=${p.script},downscript=${p.downscript}`;
}

/** `-netdev` + `-device` per NIC, rendered from {@link nicPlan}; `boot` gives the `bootindex` of NICs that boot. */
export function nicArgs(
  view: DeviceView,
  networks: ReadonlyMap<string, NetworkConfig>,
  uuid: string,
  boot: ReadonlyMap<string, number> = new Map(),
): string[] {
  const out: string[] = [];
  for (const n of view.nics) {
    const plan = nicPlan(n, networks, uuid, boot.get(n.instanceId));
    if (plan === undefined) continue; // an adapter on no network is left out
    const d = plan.device;
    out.push('-netdev', netdevOption(plan.netdev));
    out.push(
      '-device',
      `${d.driver},netdev=${d.netdev},id=${d.id}${d.mac === undefined ? '' : `,mac=${d.mac}`}${d.bootindex === undefined ? '' : `,bootindex=${d.bootindex}`}`,
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
export function serialArgs(view: DeviceView, console: ConsolePaths, h: QemuHandles): string[] {
  const out: string[] = [];
  view.serials.forEach((_s, i) => {
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

/**
 * Graphics, display and USB: no graphics RASD means no display at all; a graphics RASD whose Connection is
 * `vnc` gets a VNC server that listens nowhere (the host hands it each client, see vnc.ts), and a USB tablet
 * when there is a USB controller.
 */
export function displayArgs(view: DeviceView): string[] {
  const out: string[] = [];
  const g = view.graphics[0];
  if (g !== undefined)
    out.push('-device', `${QEMU_GRAPHICS[g.model ?? 'vga']},id=${qemuId('video', g.instanceId)}`);
  out.push('-display', 'none');
  if (g?.vnc) out.push('-vnc', 'none'); // a VNC display with no listening socket (QEMU docs, "-vnc")
  view.controllers
    .filter((c) => c.kind === 'usb')
    .forEach((u, i) => {
      out.push('-device', `${QEMU_USB[u.usb ?? 'xhci']},id=usb${i}`);
      if (i === 0 && g !== undefined) out.push('-device', `usb-tablet,bus=usb${i}.0`);
    });
  return out;
}

/**
 * Sound cards, played into a silent audio backend: the guest sees the card it was built for, and the host, which
 * has no sound, plays nothing. A card of no known model is QEMU's Ensoniq AudioPCI.
 */
export function soundArgs(view: DeviceView): string[] {
  if (view.sound.length === 0) return [];
  const out = ['-audiodev', 'none,id=snd0'];
  for (const card of view.sound) {
    const { device, codec } = QEMU_SOUND[card.model ?? 'es1370'];
    const id = qemuId('sound', card.instanceId);
    if (codec === undefined) out.push('-device', `${device},id=${id},audiodev=snd0`);
    else out.push('-device', `${device},id=${id}`, '-device', `${codec},bus=${id}.0,audiodev=snd0`);
  }
  return out;
}
