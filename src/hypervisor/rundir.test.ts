import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertSecureAncestors, checkOwnSocket, clientRunDir, ensureRunDir, runDirFor } from './rundir.js';

/**
 * The run directory holds the host's API socket: finding 5 of issue 9 was a local user who made
 * `$TMPDIR/vessel-UID` first, replaced host.sock and read a deploy request with an OVF password. Each hostile
 * layout below must be refused with RUN_DIR_UNSAFE, by the host and by clients, and never used. The tests run
 * with TMPDIR set to a private folder of their own (short enough to be used), never the machine's /tmp/vessel-UID.
 */

const NOBODY = 65534;
const root = process.getuid?.() === 0;
const uid = process.getuid?.() ?? 0;
const saved = { TMPDIR: process.env.TMPDIR, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
// Short enough (< 20 bytes) that runDirFor uses it as the base, as it would use /tmp.
const tmp = mkdtempSync('/tmp/vrd-');
let n = 0;
let state: string;

/** A state directory whose `run` would be too long for socket paths, so the run directory goes to TMPDIR. */
function longState(): string {
  const dir = join(tmp, 'states', `${n++}`, 's'.repeat(60));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
};

beforeEach(() => {
  process.env.TMPDIR = tmp;
  delete process.env.XDG_RUNTIME_DIR;
  rmSync(join(tmp, `vessel-${uid}`), { recursive: true, force: true });
  state = longState();
});
afterEach(() => {
  process.env.TMPDIR = saved.TMPDIR;
  if (saved.TMPDIR === undefined) delete process.env.TMPDIR;
  if (saved.XDG_RUNTIME_DIR !== undefined) process.env.XDG_RUNTIME_DIR = saved.XDG_RUNTIME_DIR;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ensureRunDir() and clientRunDir()', () => {
  it('make a private run directory under TMPDIR for a long state path, linked from STATE/run', () => {
    const dir = ensureRunDir(state);
    expect(dir.startsWith(join(tmp, `vessel-${uid}`))).toBe(true);
    expect(dir).toBe(runDirFor(state));
    for (const d of [join(tmp, `vessel-${uid}`), dir]) {
      const st = lstatSync(d);
      expect(st.isDirectory()).toBe(true);
      expect(st.mode & 0o777).toBe(0o700);
    }
    expect(readlinkSync(join(state, 'run'))).toBe(dir);
    expect(clientRunDir(state)).toBe(dir);
    expect(ensureRunDir(state)).toBe(dir); // again: the directory is ours and is used
  });

  it('keep the run directory in the state directory when the path is short', () => {
    const short = mkdtempSync(join(tmp, 's'));
    expect(ensureRunDir(short)).toBe(join(short, 'run'));
    expect(lstatSync(join(short, 'run')).mode & 0o777).toBe(0o700);
    expect(clientRunDir(short)).toBe(join(short, 'run'));
  });

  it('say there is no run directory (no host) when STATE/run does not exist', () => {
    expect(clientRunDir(state)).toBeUndefined();
    expect(existsSync(join(tmp, `vessel-${uid}`))).toBe(false); // a client creates nothing
  });

  it.skipIf(!root)(
    'refuse a vessel-UID directory that another user made first, and put nothing in it',
    () => {
      const planted = join(tmp, `vessel-${uid}`);
      mkdirSync(planted, { mode: 0o700 });
      chownSync(planted, NOBODY, NOBODY);
      expect(code(() => ensureRunDir(state))).toMatch(
        new RegExp(`^RUN_DIR_UNSAFE: Cannot use the run directory ${planted}: it is owned by uid 65534`),
      );
      expect(readdirSync(planted)).toEqual([]);
      expect(existsSync(join(state, 'run'))).toBe(false);
      // A client that finds a link to it (an older host made it) refuses it too.
      symlinkSync(join(planted, 'x'), join(state, 'run'));
      mkdirSync(join(planted, 'x'), { mode: 0o700 });
      chownSync(join(planted, 'x'), NOBODY, NOBODY);
      expect(code(() => clientRunDir(state))).toMatch(/^RUN_DIR_UNSAFE: .* owned by uid 65534/);
    },
  );

  it.skipIf(!root)('refuse a hash directory another user made inside our own vessel-UID', () => {
    const dir = runDirFor(state);
    mkdirSync(join(tmp, `vessel-${uid}`), { mode: 0o700 });
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, NOBODY, NOBODY);
    expect(code(() => ensureRunDir(state))).toMatch(
      new RegExp(`^RUN_DIR_UNSAFE: Cannot use the run directory ${dir}: it is owned by uid 65534`),
    );
  });

  it('refuse a symbolic link in place of the run directory, even to a private directory of ours', () => {
    const elsewhere = mkdtempSync(join(tmp, 'elsewhere-'));
    symlinkSync(elsewhere, join(tmp, `vessel-${uid}`));
    expect(code(() => ensureRunDir(state))).toMatch(/^RUN_DIR_UNSAFE: .*: it is a symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
    rmSync(join(tmp, `vessel-${uid}`));
    // The same for the hash directory, and for a client following STATE/run.
    mkdirSync(join(tmp, `vessel-${uid}`), { mode: 0o700 });
    symlinkSync(elsewhere, runDirFor(state));
    expect(code(() => ensureRunDir(state))).toMatch(/: it is a symbolic link/);
    symlinkSync(runDirFor(state), join(state, 'run'));
    expect(code(() => clientRunDir(state))).toMatch(/: it is a symbolic link/);
  });

  it('refuse a run directory that others can enter or write (0777, 0755)', () => {
    mkdirSync(join(tmp, `vessel-${uid}`), { mode: 0o700 });
    chmodSync(join(tmp, `vessel-${uid}`), 0o777);
    expect(code(() => ensureRunDir(state))).toMatch(/^RUN_DIR_UNSAFE: .*: its mode is 777, not 700/);
    chmodSync(join(tmp, `vessel-${uid}`), 0o700);
    mkdirSync(runDirFor(state));
    chmodSync(runDirFor(state), 0o755);
    expect(code(() => ensureRunDir(state))).toMatch(/its mode is 755, not 700/);
    symlinkSync(runDirFor(state), join(state, 'run'));
    expect(code(() => clientRunDir(state))).toMatch(/its mode is 755, not 700/);
  });

  it('refuse a base directory others can write that has no sticky bit', () => {
    const open = join(tmp, 'o'); // short enough to be used as the base
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    process.env.TMPDIR = open;
    expect(code(() => ensureRunDir(state))).toMatch(
      new RegExp(`${open} on its path is writable by others and has no sticky bit`),
    );
    chmodSync(open, 0o1777); // as /tmp: others cannot rename what is ours
    expect(ensureRunDir(state).startsWith(open)).toBe(true);
  });

  it.skipIf(!root)('refuse a path through a directory another user owns', () => {
    const theirs = mkdtempSync(join(tmp, 't'));
    chownSync(theirs, NOBODY, NOBODY);
    expect(code(() => assertSecureAncestors(theirs))).toMatch(
      /on its path is owned by uid 65534, who could replace what lies below/,
    );
  });

  it('prefer a private XDG_RUNTIME_DIR, and ignore one others can read', () => {
    const xdg = mkdtempSync(join(tmp, 'x'));
    process.env.XDG_RUNTIME_DIR = xdg;
    const dir = ensureRunDir(state);
    expect(dir.startsWith(join(xdg, 'vessel'))).toBe(true);
    expect(lstatSync(join(xdg, 'vessel')).mode & 0o777).toBe(0o700);
    expect(clientRunDir(state)).toBe(dir);
    chmodSync(xdg, 0o755);
    expect(runDirFor(state).startsWith(join(tmp, `vessel-${uid}`))).toBe(true);
  });

  it.skipIf(!root)('refuse STATE/run in place when another user made it', () => {
    const short = mkdtempSync(join(tmp, 's'));
    mkdirSync(join(short, 'run'), { mode: 0o700 });
    chownSync(join(short, 'run'), NOBODY, NOBODY);
    expect(code(() => ensureRunDir(short))).toMatch(/it is owned by uid 65534/);
    expect(code(() => clientRunDir(short))).toMatch(/it is owned by uid 65534/);
  });
});

describe('checkOwnSocket()', () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  async function listen(path: string): Promise<void> {
    const s = createServer();
    servers.push(s);
    await new Promise<void>((r) => s.listen(path, r));
  }

  it('accepts our socket, says false when there is none, and refuses a file or a socket of another user', async () => {
    const dir = ensureRunDir(state);
    const sock = join(dir, 'host.sock');
    expect(checkOwnSocket(sock)).toBe(false);
    await listen(sock);
    expect(checkOwnSocket(sock)).toBe(true);
    const file = join(dir, 'file.sock');
    mkdirSync(file);
    expect(code(() => checkOwnSocket(file))).toMatch(
      /^RUN_DIR_UNSAFE: Cannot use the host socket .*file.sock: it is not a unix socket/,
    );
    if (root) {
      const planted = join(dir, 'planted.sock');
      await listen(planted);
      chownSync(planted, NOBODY, NOBODY);
      expect(code(() => checkOwnSocket(planted))).toMatch(/the host socket .* is owned by uid 65534/);
    }
  });
});
