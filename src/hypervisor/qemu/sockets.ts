import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The sockets a process listens on, read from /proc (proc(5): /proc/PID/fd, /proc/net/tcp, tcp6 and unix): which
 * TCP ports and which unix socket paths anyone could connect to. Used to check that QEMU opens no port.
 */
export interface ListeningSockets {
  /** TCP listeners: address as /proc writes it (hex, network order per 32-bit word) and port. */
  tcp: { address: string; port: number }[];
  /** Unix listeners: the path each was bound to ('' for an unnamed or abstract one). */
  unix: string[];
}

/** The socket inodes among a process's descriptors. */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) out.add(m[1]!);
  }
  return out;
}

/** The data lines of a /proc/net table, split into fields ([] when the table does not exist). */
function table(name: string): string[][] {
  let text: string;
  try {
    text = readFileSync(`/proc/net/${name}`, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/));
}

/** TCP state LISTEN in /proc/net/tcp (include/net/tcp_states.h: TCP_LISTEN = 10). */
const TCP_LISTEN = '0A';
/** The __SO_ACCEPTCON flag of /proc/net/unix: the socket listens. */
const SO_ACCEPTCON = 0x10000;

/**
 * What process `pid` listens on (needs the right to read its /proc/PID/fd: root, or its own user).
 *
 * @example
 * listeningSockets(qemuPid); // { tcp: [], unix: ['/var/lib/vessel/run/UUID/.listen', ...] }
 */
export function listeningSockets(pid: number): ListeningSockets {
  const mine = socketInodes(pid);
  const tcp = ['tcp', 'tcp6'].flatMap((t) =>
    table(t)
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      .filter((f) => f[3] === TCP_LISTEN && mine.has(f[9] ?? ''))
      .map((f) => {
        const [address = '', port = '0'] = (f[1] ?? '').split(':');
        return { address, port: Number.parseInt(port, 16) };
      }),
  );
  const unix = table('unix')
    // Num RefCount Protocol Flags Type St Inode Path
    .filter((f) => (Number.parseInt(f[3] ?? '0', 16) & SO_ACCEPTCON) !== 0 && mine.has(f[6] ?? ''))
    .map((f) => f[7] ?? '');
  return { tcp, unix };
}
