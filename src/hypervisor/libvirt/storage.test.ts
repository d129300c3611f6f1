import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
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
});
