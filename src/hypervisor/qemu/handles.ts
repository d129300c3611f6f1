import { chmodSync, closeSync, constants, fchmodSync, openSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { HypervisorError } from '../errors.js';
import { optValue } from './options.js';

/**
 * How the host opens a file it hands to QEMU: `read` for images that are not the VM's own (O_RDONLY), `readwrite`
 * for the VM's own overlay and UEFI variable store, `append` and `truncate` for logs QEMU writes (created 0600).
 */
export type FileAccess = 'read' | 'readwrite' | 'append' | 'truncate';

/** One file or listening socket the host opens and QEMU inherits as descriptor `fd`. */
export type QemuHandle =
  | { kind: 'file'; path: string; access: FileAccess; fd: number; set: number; opaque: string }
  | { kind: 'listen'; path: string; fd: number };

/**
 * The files and sockets of one QEMU command line. QEMU runs unprivileged and cannot reach the host's state or run
 * directory, so it opens no path of its own: the host opens each file and listens on each socket, and QEMU
 * inherits them as numbered descriptors (what libvirt does). Files go into fd sets (`-add-fd`) and QEMU opens
 * them as `/dev/fdset/N`, which it matches by access mode (QEMU docs, "-add-fd"); sockets are given as
 * `fd=N` to `-chardev socket`. Descriptors count up from 3 in the order they are asked for.
 *
 * @example
 * const h = new QemuHandles();
 * h.file('/images/a.raw', 'read', 'drive-4-base'); // { args: ['-add-fd', 'fd=3,set=1,opaque=drive-4-base'], path: '/dev/fdset/1' }
 */
export class QemuHandles {
  /** Everything asked for so far, in descriptor order. */
  readonly list: QemuHandle[] = [];
  private nextFd = 3;
  private nextSet = 1;

  /** A file QEMU opens as `/dev/fdset/N`: returns the `-add-fd` arguments and that path. */
  file(path: string, access: FileAccess, opaque: string): { args: string[]; path: string } {
    const h = { kind: 'file' as const, path, access, fd: this.nextFd++, set: this.nextSet++, opaque };
    this.list.push(h);
    return {
      args: ['-add-fd', `fd=${h.fd},set=${h.set},opaque=${optValue(opaque)}`],
      path: `/dev/fdset/${h.set}`,
    };
  }

  /** A unix socket the host listens on at `path`; returns the descriptor number QEMU accepts on. */
  listen(path: string): number {
    const h = { kind: 'listen' as const, path, fd: this.nextFd++ };
    this.list.push(h);
    return h.fd;
  }
}

/** The host's side of opened handles: the `stdio` array for `spawn`, and `close` once QEMU has its copies. */
export interface OpenedHandles {
  stdio: number[];
  close(): void;
}

const FLAGS: Record<FileAccess, number> = {
  read: constants.O_RDONLY,
  readwrite: constants.O_RDWR | constants.O_NOFOLLOW,
  append: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
  truncate: constants.O_WRONLY | constants.O_TRUNC | constants.O_CREAT | constants.O_NOFOLLOW,
};

/** Opens a file as the host, so QEMU needs no access to its path; files the host writes are kept 0600. */
export function openHandleFile(path: string, access: FileAccess): number {
  let fd: number;
  try {
    fd = openSync(path, FLAGS[access] | constants.O_NOCTTY, 0o600);
  } catch (e) {
    throw new HypervisorError('FILE_NOT_FOUND', `Cannot open ${path} for QEMU: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (access !== 'read') fchmodSync(fd, 0o600);
  return fd;
}

/**
 * Listens on a unix socket and returns its descriptor. The socket is bound under a temporary name and renamed into
 * place, because closing the host's copy unlinks the name it was bound to (libuv) while QEMU keeps listening.
 */
async function listenUnix(path: string): Promise<{ fd: number; server: Server }> {
  const tmp = join(dirname(path), '.listen');
  rmSync(path, { force: true });
  rmSync(tmp, { force: true });
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(tmp, resolve);
  });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  // Node has no public accessor for a listening socket's descriptor; its handle carries it on Unix.
  const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    server.close();
    throw new HypervisorError('QEMU_START', `Cannot hand the socket ${path} to QEMU: no descriptor`);
  }
  return { fd, server };
}

/**
 * Opens every handle of a command line as the host: files with their access mode, sockets listening. On failure
 * everything opened so far is closed again.
 */
export async function openHandles(handles: QemuHandles): Promise<OpenedHandles> {
  const fds: number[] = [];
  const servers: Server[] = [];
  const close = () => {
    for (const fd of fds.splice(0)) closeSync(fd);
    for (const s of servers.splice(0)) s.close();
  };
  const stdio: number[] = [];
  try {
    for (const h of handles.list) {
      if (h.kind === 'file') {
        const fd = openHandleFile(h.path, h.access);
        fds.push(fd);
        stdio[h.fd] = fd;
      } else {
        const { fd, server } = await listenUnix(h.path);
        servers.push(server);
        stdio[h.fd] = fd;
      }
    }
  } catch (e) {
    close();
    throw e;
  }
  return { stdio, close };
}
