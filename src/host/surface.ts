import { readdir, readFile } from 'node:fs/promises';
import type { SurfaceReport } from '../api/index.js';

/** The host's own attack-surface report (issue 16), read from /proc as the host process sees it. */

/** Capability names by bit (capabilities(7), Linux 6.1). */
const CAPS = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap',
  'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner',
  'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice',
  'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write', 'audit_control', 'setfcap',
  'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
  'checkpoint_restore',
] as const; // biome-ignore format: a table

const MAX_ITEMS = 4096;
type Listening = SurfaceReport['listening'][number];

/**
 * The capability names of a /proc status mask (`CapEff: 00000000a80425fb`); bits without a name are `cap_N`.
 *
 * @example
 * capabilityNames('0000000000000400'); // ['net_bind_service']
 */
export function capabilityNames(hex: string): string[] {
  if (!/^[0-9a-f]{1,16}$/i.test(hex)) return [];
  const mask = BigInt(`0x${hex}`);
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) if ((mask >> BigInt(bit)) & 1n) out.push(CAPS[bit] ?? `cap_${bit}`);
  return out;
}

/** An address of /proc/net: 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word in the kernel's byte order. */
function address(hex: string): string | undefined {
  if (!/^([0-9A-F]{8}|[0-9A-F]{32})$/i.test(hex)) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8)
    for (let b = 6; b >= 0; b -= 2) bytes.push(Number.parseInt(hex.slice(w + b, w + b + 2), 16));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups
    .join(':')
    .replace(/(^|:)0(:0)+(:|$)/, '::')
    .replace(/^:::/, '::');
}

/**
 * The listening sockets of one /proc/net table (tcp: state 0A LISTEN; udp: state 07, bound). Malformed lines are
 * skipped.
 *
 * @example
 * parseNetTable('tcp', '  sl  local_address ...\n   0: 00000000:14E5 00000000:0000 0A ...');
 * // [{ protocol: 'tcp', address: '0.0.0.0', port: 5349 }]
 */
export function parseNetTable(protocol: Listening['protocol'], text: string): Listening[] {
  const want = protocol.startsWith('tcp') ? '0A' : '07';
  const out: Listening[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(f[1] ?? '');
    if (m === null || f[3]?.toUpperCase() !== want) continue;
    const a = address(m[1]!);
    if (a === undefined) continue;
    out.push({ protocol, address: a, port: Number.parseInt(m[2]!, 16) });
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}

/** The fields of a /proc status file. */
function statusFields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

/** A process name fit to show: no control characters, at most 64 characters. */
function cleanName(name: string): string {
  let out = '';
  for (const ch of name.slice(0, 64)) out += ch.charCodeAt(0) < 0x20 || ch === '\u007f' ? '?' : ch;
  return out;
}

/** uid -> user name of /etc/passwd (at most 4096 entries; a missing file gives none). */
async function userNames(): Promise<Map<number, string>> {
  const users = new Map<number, string>();
  const text = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of text.split('\n').slice(0, MAX_ITEMS)) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d{1,10}$/.test(uid)) users.set(Number(uid), cleanName(name));
  }
  return users;
}

const withUser = <T extends { uid: number }>(o: T, users: Map<number, string>): T & { user?: string } => {
  const user = users.get(o.uid);
  return user === undefined ? o : { ...o, user };
};

/**
 * Reads the host's attack surface from /proc: the listening TCP and bound UDP sockets, every user process (kernel
 * threads left out) with the user it runs as, and the host process's own capabilities, no_new_privs and seccomp
 * mode. On systems without /proc the lists are empty.
 *
 * @example
 * const r = await readSurface();
 * r.self.effective; // [] for an unprivileged host
 */
export async function readSurface(proc = '/proc'): Promise<SurfaceReport> {
  const users = await userNames();
  const listening: Listening[] = [];
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    const text = await readFile(`${proc}/net/${protocol}`, 'utf8').catch(() => '');
    listening.push(...parseNetTable(protocol, text));
  }
  const seen = new Set<string>();
  const sockets = listening
    .filter((l) => {
      const k = `${l.protocol} ${l.address} ${l.port}`;
      return !seen.has(k) && seen.add(k) !== undefined;
    })
    .sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol))
    .slice(0, MAX_ITEMS);
  const processes: SurfaceReport['processes'] = [];
  const pids = (await readdir(proc).catch(() => [] as string[]))
    .filter((n) => /^\d{1,10}$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    if (processes.length >= MAX_ITEMS) break;
    const status = await readFile(`${proc}/${pid}/status`, 'utf8').catch(() => undefined);
    if (status === undefined) continue; // gone meanwhile
    const f = statusFields(status);
    if (pid === 2 || f.get('PPid') === '2') continue; // kernel threads
    const uid = Number((f.get('Uid') ?? '').split(/\s+/)[1]);
    if (!Number.isInteger(uid) || uid < 0) continue;
    processes.push(withUser({ pid, name: cleanName(f.get('Name') ?? '?'), uid }, users));
  }
  const self = statusFields(await readFile(`${proc}/self/status`, 'utf8').catch(() => ''));
  const selfUid = Number((self.get('Uid') ?? '').split(/\s+/)[1]);
  const seccomp = Number(self.get('Seccomp') ?? '0');
  return {
    listening: sockets,
    processes,
    self: withUser(
      {
        pid: process.pid,
        uid: Number.isInteger(selfUid) && selfUid >= 0 ? selfUid : 0,
        effective: capabilityNames(self.get('CapEff') ?? ''),
        permitted: capabilityNames(self.get('CapPrm') ?? ''),
        bounding: capabilityNames(self.get('CapBnd') ?? ''),
        noNewPrivileges: self.get('NoNewPrivs') === '1',
        seccomp: seccomp === 1 || seccomp === 2 ? seccomp : 0,
      },
      users,
    ),
  };
}
