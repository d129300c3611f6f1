import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_LIBVIRTD, type PrivateLibvirtd, startLibvirtd } from '../../../test/helpers/libvirtd.js';
import { connectLibvirt, type LibvirtClient } from '../../libvirt/index.js';
import { HypervisorError } from '../errors.js';
import { LibvirtStorage } from './storage.js';

let d: PrivateLibvirtd;
let work: string;
let client: LibvirtClient;
beforeAll(async () => {
  d = await startLibvirtd();
  work = mkdtempSync(join(tmpdir(), 'vessel-libvirt-storage-'));
  chmodSync(work, 0o755);
  client = await connectLibvirt(`qemu:///session?socket=${d.socket}`);
});
afterAll(async () => {
  client?.close();
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!HAVE_LIBVIRTD)('LibvirtStorage on a private libvirtd (qemu:///session)', () => {
  it('refuses without a pool, naming the virsh commands that make one', async () => {
    const e = await new LibvirtStorage(() => client).pool().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HypervisorError);
    expect((e as HypervisorError).code).toBe('NOT_SUPPORTED');
    expect((e as HypervisorError).hint).toMatch(/virsh pool-define-as vessel dir/);
  });

  it('uploads a file as a volume of the vessel pool and downloads the same bytes', async () => {
    const pool = join(work, 'pool');
    mkdirSync(pool);
    const owner = statSync(d.dir);
    chownSync(pool, owner.uid, owner.gid);
    const uri = `qemu+unix:///session?socket=${d.socket}`;
    await d.virsh(uri, 'pool-define-as', 'vessel', 'dir', '--target', pool);
    await d.virsh(uri, 'pool-start', 'vessel');
    const src = join(work, 'image-d1.qcow2');
    const bytes = randomBytes(3 * 262_144 + 17); // more than one stream packet, not a multiple of one
    writeFileSync(src, bytes);
    const s = new LibvirtStorage(() => client);
    const path = await s.upload('u1', src);
    expect(path).toBe(join(pool, 'u1-image-d1.qcow2'));
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const vol = await s.volumeOf(path);
    expect(vol?.name).toBe('u1-image-d1.qcow2');
    expect(await s.volumeOf(join(work, 'nothing'))).toBeUndefined();
    const back = join(work, 'back.qcow2');
    await s.download(vol!, back);
    expect(readFileSync(back).equals(bytes)).toBe(true);
    // A second upload of the same name is refused by libvirt (the volume exists), and nothing is deleted.
    const again = await s.upload('u1', src).catch((x: unknown) => x);
    expect(again).toBeInstanceOf(HypervisorError);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    await s.delete(vol!);
    expect(await s.volumeOf(path)).toBeUndefined();
  }, 30_000);

  it('a cut upload aborts the stream and leaves no volume; the connection stays usable', async () => {
    const pool = join(work, 'pool'); // the vessel pool of the test above
    const s = new LibvirtStorage(() => client);
    const files = () => readdirSync(pool).filter((f) => f.startsWith('cut-'));
    // A source that fails at its first read (a folder: its size says 4096 bytes, reading it is EISDIR).
    const folder = join(work, 'not-a-file');
    mkdirSync(folder);
    const e1 = await s.upload('cut-1', folder).catch((x: unknown) => x);
    expect(e1).toBeInstanceOf(HypervisorError);
    expect((e1 as HypervisorError).message).toMatch(/^Cannot upload "cut-1-not-a-file"/);
    expect(files()).toEqual([]);
    // A file cut short while it is being uploaded: fewer bytes than the volume was made for never commit it.
    const big = join(work, 'big.raw');
    writeFileSync(big, randomBytes(1 << 20));
    truncateSync(big, 64 << 20);
    const upload = s.upload('cut-2', big).catch((x: unknown) => x);
    const until = Date.now() + 20_000;
    while (!files().includes('cut-2-big.raw') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 1));
    truncateSync(big, 1 << 20);
    const e2 = await upload;
    expect(e2).toBeInstanceOf(HypervisorError);
    expect((e2 as HypervisorError).message).toMatch(/ended after \d+ of its 67108864 bytes/);
    expect(files()).toEqual([]);
    // The daemon's answer to the abort was taken as one: the same connection still works.
    expect(client.closed).toBeUndefined();
    const ok = await s.upload('cut-3', big);
    expect(readFileSync(ok).equals(readFileSync(big))).toBe(true);
    await s.delete((await s.volumeOf(ok))!);
  }, 60_000);
});
