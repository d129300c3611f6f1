import { closeSync, constants, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { HypervisorError } from '../errors.js';
import { type FileAccess, openHandleFile } from './handles.js';
import { QmpClient } from './qmp.js';
import { type DriveImage, diskLayers, layerOptions } from './storage-argv.js';

/** The part of usocket (an optional dependency with a native addon) that Vessel uses. */
interface UsocketModule {
  USocket: new () => Duplex & { connect(path: string, cb: () => void): void };
}

function usocket(): UsocketModule {
  try {
    return createRequire(import.meta.url)('usocket') as UsocketModule;
  } catch (e) {
    throw new HypervisorError(
      'NOT_SUPPORTED',
      'Hot-plugging a disk, a screenshot and the VNC console need the usocket package, which passes descriptors to QEMU',
      { hint: 'npm install usocket (it builds a small native addon)', cause: e },
    );
  }
}

/**
 * Connects to a QMP socket over a connection that can pass descriptors (SCM_RIGHTS). Node's own sockets cannot,
 * so this uses usocket; QEMU's QMP socket serves one client at a time, so the driver gives each VM a second
 * monitor socket (`fds.sock`) for these short connections.
 */
export async function connectFdPassing(path: string, timeoutMs = 10_000): Promise<QmpClient> {
  const { USocket } = usocket();
  const socket = new USocket();
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (e: Error) =>
      reject(
        new HypervisorError('QMP_CLOSED', `Cannot connect to QMP at ${path}: ${e.message}`, { cause: e }),
      ),
    );
    socket.connect(path, resolve);
  });
  return QmpClient.handshake(socket, { timeoutMs });
}

/**
 * Opens a file as the host and adds it to a new fd set of a running QEMU (`add-fd`, the fd set's opaque is
 * `opaque`); returns the `/dev/fdset/N` path QEMU opens it by. The host's copy is closed once QEMU has it.
 */
async function addFd(qmp: QmpClient, file: string, access: FileAccess, opaque: string): Promise<string> {
  const fd = openHandleFile(file, access);
  try {
    const r = await qmp.execute<{ 'fdset-id': number }>('add-fd', { opaque }, undefined, [fd]);
    return `/dev/fdset/${r['fdset-id']}`;
  } finally {
    closeSync(fd);
  }
}

/**
 * Adds a disk's block nodes to a running QEMU the way the command line does (`diskLayers`): its base read-only and
 * its own overlay on top, each on a descriptor the host opened and passed over `fdSocket`, so QEMU opens no path.
 * On failure the nodes added so far are removed again.
 */
export async function addDiskNodes(fdSocket: string, node: string, img: DriveImage): Promise<void> {
  const qmp = await connectFdPassing(fdSocket);
  const added: string[] = [];
  try {
    for (const layer of diskLayers(node, img)) {
      const path = await addFd(qmp, layer.image.file, layer.readOnly ? 'read' : 'readwrite', layer.node);
      for (const options of layerOptions(layer, path)) {
        await qmp.execute('blockdev-add', options);
        added.unshift(String(options['node-name']));
      }
    }
  } catch (e) {
    for (const n of added) await qmp.execute('blockdev-del', { 'node-name': n }).catch(() => undefined);
    throw e;
  } finally {
    qmp.close();
  }
}

/** The largest screenshot the driver reads back, bytes (a 4K display's PNG is far smaller). */
const MAX_SCREENSHOT_BYTES = 16 << 20;

/**
 * The display of a running QEMU as PNG (QMP `screendump` with `format: png`, QEMU 7.1+): the host creates the file
 * `file` (mode 0600), passes QEMU a write-only descriptor of it over `fdSocket` (QEMU opens no path, as for disks),
 * reads what QEMU wrote and removes the file and the fd set.
 *
 * @example
 * const png = await screendumpPng('/run/vessel/UUID/fds.sock', '/var/lib/vessel/vms/UUID/screen.png');
 */
export async function screendumpPng(fdSocket: string, file: string): Promise<Uint8Array> {
  const qmp = await connectFdPassing(fdSocket);
  const fd = openSync(
    file,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOCTTY,
    0o600,
  );
  let set: number | undefined;
  try {
    try {
      set = (await qmp.execute<{ 'fdset-id': number }>('add-fd', { opaque: 'screendump' }, undefined, [fd]))[
        'fdset-id'
      ];
    } finally {
      closeSync(fd);
    }
    await qmp.execute('screendump', { filename: `/dev/fdset/${set}`, format: 'png' });
    const size = statSync(file).size;
    if (size > MAX_SCREENSHOT_BYTES)
      throw new HypervisorError('QMP_PROTOCOL', `QEMU wrote a screenshot of ${size} bytes, over the limit`);
    return new Uint8Array(readFileSync(file));
  } finally {
    if (set !== undefined) await qmp.execute('remove-fd', { 'fdset-id': set }).catch(() => undefined);
    qmp.close();
    rmSync(file, { force: true });
  }
}
