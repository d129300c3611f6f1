import {
  existsSync,
  fstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HypervisorError } from '../errors.js';
import { openHandles, QemuHandles } from './handles.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-handles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** How many of this process's descriptors are open on `path`. */
const holding = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
const accessOf = (fd: number) =>
  Number.parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8) & 3;

describe('QemuHandles', () => {
  it('numbers descriptors from 3 and fd sets from 1, in the order asked', () => {
    const h = new QemuHandles();
    expect(h.listen('/run/x/qmp.sock')).toBe(3);
    expect(h.file('/img/a,b.raw', 'read', 'drive-4,x')).toEqual({
      args: ['-add-fd', 'fd=4,set=1,opaque=drive-4,,x'],
      path: '/dev/fdset/1',
    });
    expect(h.file('/vm/o.qcow2', 'readwrite', 'drive-4').path).toBe('/dev/fdset/2');
    expect(h.list.map((x) => x.fd)).toEqual([3, 4, 5]);
  });
});

describe('openHandles()', () => {
  it("opens images read-only, the VM's own files read-write, logs 0600, and listens on sockets that outlive the host's copy", async () => {
    const image = join(dir, 'image.raw');
    const own = join(dir, 'own.qcow2');
    writeFileSync(image, 'base');
    writeFileSync(own, 'own', { mode: 0o644 });
    const h = new QemuHandles();
    h.file(image, 'read', 'base');
    h.file(own, 'readwrite', 'own');
    h.file(join(dir, 'console.log'), 'append', 'log');
    const sock = join(dir, 'qmp.sock');
    h.listen(sock);
    const opened = await openHandles(h);
    try {
      expect(opened.stdio.slice(3).map(accessOf)).toEqual([0, 2, 1, 2]);
      expect(fstatSync(opened.stdio[4]!).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'console.log')).mode & 0o777).toBe(0o600);
      expect(statSync(sock).mode & 0o777).toBe(0o600);
    } finally {
      opened.close();
    }
    // The host's copy is closed and the name is still there (libuv unlinks only the temporary name it bound).
    expect(existsSync(sock)).toBe(true);
    const refused = await new Promise<string>((resolve) => {
      const s = connect(sock);
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
      s.on('connect', () => resolve('connected'));
    });
    expect(refused).toBe('ECONNREFUSED'); // nobody holds the listening socket any more
  });

  it('refuses to write through a symlink in place of a VM file, and closes what it opened', async () => {
    const target = join(dir, 'victim');
    writeFileSync(target, 'keep');
    const link = join(dir, 'link.qcow2');
    symlinkSync(target, link);
    const h = new QemuHandles();
    h.file(join(dir, 'image.raw'), 'read', 'base');
    h.file(link, 'readwrite', 'own');
    const e = (await openHandles(h).catch((x: unknown) => x)) as HypervisorError;
    expect(e.code).toBe('FILE_NOT_FOUND');
    expect(e.message).toContain(`Cannot open ${link} for QEMU: ELOOP`);
    expect(holding(join(dir, 'image.raw'))).toBe(0); // the image opened before the failure was closed again
    expect(readFileSync(target, 'utf8')).toBe('keep');
  });
});
