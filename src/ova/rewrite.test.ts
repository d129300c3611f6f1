import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  flipBit,
  makePki,
  rawTar,
  seededBytes,
  type TestPki,
  tempDir,
  writePackage,
} from '../../test/fixtures/ova/helpers.js';
import { addDisk, formatOvf, parseOvf, removeDisk, setCpus, targetSystem } from '../ovf/index.js';
import { loadSigner } from './certificate.js';
import { readOvaDescriptor } from './descriptor.js';
import { formatManifest } from './manifest.js';
import { packOva } from './pack.js';
import { rewriteOva } from './rewrite.js';
import { verifyOva } from './verify.js';

const tmp = tempDir('vessel-rewrite-');
let pki: TestPki;
let n = 0;
const DISK = seededBytes(70_000, 9);
beforeAll(() => {
  const d = join(tmp.dir, 'pki');
  mkdirSync(d);
  pki = makePki(d);
});
afterAll(() => tmp.cleanup());

const signer = () => loadSigner(readFileSync(pki.signerKey), readFileSync(pki.signerChain));
const tarList = (p: string) => execFileSync('tar', ['tf', p], { encoding: 'utf8' }).trim().split('\n');

async function packed(options: Parameters<typeof packOva>[2] = {}): Promise<string> {
  const dir = join(tmp.dir, `p${n++}`);
  mkdirSync(dir);
  const out = join(dir, 'vm.ova');
  await packOva(writePackage(dir, [{ href: 'disk1.vmdk', data: DISK }]), out, options);
  return out;
}

/** The package's descriptor, edited by `edit`, as bytes. */
async function edited(ova: string, edit: (env: ReturnType<typeof parseOvf>) => void): Promise<Buffer> {
  const env = parseOvf((await readOvaDescriptor(ova)).data);
  edit(env);
  return Buffer.from(formatOvf(env));
}

describe('rewriteOva()', () => {
  test('writes the edited descriptor with a fresh manifest in the input’s algorithm, keeping the other members', async () => {
    const ova = await packed({ algorithm: 'sha512' });
    const out = join(dirname(ova), 'edited.ova');
    const descriptor = await edited(ova, (env) => setCpus(targetSystem(env), 6));
    const r = await rewriteOva(ova, { output: out, descriptor });
    expect(r).toMatchObject({ algorithm: 'sha512', droppedSignature: undefined });
    expect(tarList(out)).toEqual(['vm.ovf', 'vm.mf', 'disk1.vmdk']);
    const v = await verifyOva(out);
    expect(v.problems).toEqual([]);
    expect(v.manifest?.algorithms).toEqual(['sha512']);
    expect((await readOvaDescriptor(out)).data.toString()).toContain('<rasd:VirtualQuantity>6<');
  });

  test('drops a signature it cannot keep and says so; re-signs when given a signer', async () => {
    const ova = await packed({ algorithm: 'sha1', signer: signer() });
    expect(tarList(ova)).toContain('vm.cert');
    const descriptor = await edited(ova, (env) => setCpus(targetSystem(env), 2));
    const unsigned = join(dirname(ova), 'unsigned.ova');
    const r = await rewriteOva(ova, { output: unsigned, descriptor });
    expect(r.droppedSignature).toBe('vm.cert');
    expect(tarList(unsigned)).toEqual(['vm.ovf', 'vm.mf', 'disk1.vmdk']);
    expect((await verifyOva(unsigned)).intact).toBe(true);
    const resigned = join(dirname(ova), 'resigned.ova');
    const s = await rewriteOva(ova, { output: resigned, descriptor, signer: signer() });
    expect(s.droppedSignature).toBeUndefined();
    const v = await verifyOva(resigned, { requireSignature: true });
    expect(v.problems).toEqual([]);
    expect(v.signature).toMatchObject({ valid: true, algorithm: 'sha1' });
  });

  test('leaves out a member the new descriptor no longer references and adds a local file it does', async () => {
    const ova = await packed();
    const extra = join(dirname(ova), 'extra.img');
    writeFileSync(extra, seededBytes(3000, 2));
    const added = await edited(ova, (env) =>
      addDisk(env, targetSystem(env), { href: 'extra.img', capacityBytes: 1n << 20n, fileSize: 3000n }),
    );
    const withExtra = join(dirname(ova), 'with-extra.ova');
    await rewriteOva(ova, { output: withExtra, descriptor: added, added: new Map([['extra.img', extra]]) });
    expect(tarList(withExtra)).toEqual(['vm.ovf', 'vm.mf', 'disk1.vmdk', 'extra.img']);
    expect((await verifyOva(withExtra)).problems).toEqual([]);

    const env = parseOvf(added);
    const extraDisk = env.sections.flatMap((s) => (s.kind === 'DiskSection' ? s.disks : []));
    const removed = await edited(withExtra, (e) => removeDisk(e, extraDisk.at(-1)!.diskId));
    const back = join(dirname(ova), 'back.ova');
    await rewriteOva(withExtra, { output: back, descriptor: removed });
    expect(tarList(back)).toEqual(['vm.ovf', 'vm.mf', 'disk1.vmdk']);
    expect((await verifyOva(back)).problems).toEqual([]);
  });

  test('keeps a member only the manifest lists (no part of the descriptor), with its digest', async () => {
    const dir = join(tmp.dir, `x${n++}`);
    mkdirSync(dir);
    const ovf = readFileSync(writePackage(dir, [{ href: 'disk1.vmdk', data: DISK }]));
    const notes = Buffer.from('release notes\n');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const mf = formatManifest(
      (
        [
          ['vm.ovf', ovf],
          ['disk1.vmdk', DISK],
          ['notes.txt', notes],
        ] as const
      ).map(([file, b]) => ({ algorithm: 'sha256' as const, file, digest: sha(Buffer.from(b)) })),
    );
    const ova = join(dir, 'extra.ova');
    writeFileSync(
      ova,
      await rawTar([
        { header: { name: 'vm.ovf' }, data: ovf },
        { header: { name: 'vm.mf' }, data: mf },
        { header: { name: 'disk1.vmdk' }, data: Buffer.from(DISK) },
        { header: { name: 'notes.txt' }, data: notes },
      ]),
    );
    expect((await verifyOva(ova)).problems).toEqual([]);
    const out = join(dir, 'edited.ova');
    await rewriteOva(ova, {
      output: out,
      descriptor: await edited(ova, (env) => setCpus(targetSystem(env), 3)),
    });
    expect(tarList(out)).toEqual(['vm.ovf', 'vm.mf', 'disk1.vmdk', 'notes.txt']);
    const v = await verifyOva(out);
    expect(v.problems).toEqual([]);
    expect(v.manifest?.entries).toBe(3);
  });

  test('refuses a new file with no local copy, and a package that does not verify, writing nothing', async () => {
    const ova = await packed();
    const dir = dirname(ova);
    const descriptor = await edited(ova, (env) =>
      addDisk(env, targetSystem(env), { href: 'gone.img', capacityBytes: 1n << 20n }),
    );
    const out = join(dir, 'never.ova');
    await expect(rewriteOva(ova, { output: out, descriptor })).rejects.toMatchObject({
      code: 'OVA_MISSING_FILE',
    });
    await expect(
      rewriteOva(ova, { output: out, descriptor, added: new Map([['gone.img', join(dir, 'gone.img')]]) }),
    ).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(
      rewriteOva(ova, { output: out, descriptor, added: new Map([['gone.img', dir]]) }),
    ).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining('not a regular file') });
    const bytes = readFileSync(ova);
    flipBit(bytes, bytes.length - 1024 - 600); // inside disk1.vmdk's data
    writeFileSync(ova, bytes);
    await expect(rewriteOva(ova, { output: out })).rejects.toMatchObject({ code: 'OVA_DIGEST_MISMATCH' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
