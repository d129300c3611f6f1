import { closeSync } from 'node:fs';
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
      'Hot-plugging a disk needs the usocket package, which passes descriptors to QEMU',
      { hint: 'npm install usocket (it builds a small native addon)', cause: e },
    );
  }
}

/**
 * Connects to a QMP socket over a connection that can pass descriptors (SCM_RIGHTS). Node's own sockets cannot,
 * so this uses usocket; QEMU's QMP socket serves one client at a time, so the driver gives each VM a second
 * monitor socket (`fds.sock`) for these short connections.
 */
async function connectFdPassing(path: string, timeoutMs = 10_000): Promise<QmpClient> {
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
