import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuImg, writeStandard } from '../../../test/fixtures/disk/images.js';
import {
  type HostileCorpus,
  leaksCanary,
  writeHostileCorpus,
} from '../../../test/fixtures/hostile/images.js';
import { addDisk, createEnvelope, formatOvf, targetSystem } from '../../ovf/index.js';
import { Host } from '../host.js';
import { stageDisk } from './disks.js';

let work: string;
let corpus: HostileCorpus;
const hosts: Host[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vessel-deploy-hostile-'));
  const dir = join(work, 'corpus');
  mkdirSync(dir);
  corpus = writeHostileCorpus(dir);
});
afterAll(async () => {
  for (const h of hosts) await h.close();
  rmSync(work, { recursive: true, force: true });
});

/** Every file under `root`, read, holds no piece of the canary. */
function expectNoCanary(root: string): void {
  for (const f of readdirSync(root, { recursive: true }) as string[]) {
    const p = join(root, f);
    if (statSync(p).isFile() && p !== corpus.canaryPath)
      expect(leaksCanary(readFileSync(p), corpus.canary), `${p} holds canary bytes`).toBe(false);
  }
}

describe('stageDisk() of hostile images', () => {
  it('refuses every case with DEPLOY_DISK naming the package file, and leaves nothing behind', async () => {
    const stage = join(work, 'stage');
    mkdirSync(stage);
    for (const c of corpus.cases) {
      const out = join(stage, 'disk-1.qcow2');
      const err = (await stageDisk(createReadStream(join(corpus.dir, c.file)), out, { name: c.file }).catch(
        (e: unknown) => e,
      )) as { code?: string; message: string };
      expect(err.code, c.file).toBe('DEPLOY_DISK');
      expect(err.message, c.file).toContain(`"${c.file}"`);
      if (c.kinds.length > 0) expect(err.message, c.file).toMatch(/refers to another file: /);
      expect(readdirSync(stage), c.file).toEqual([]);
    }
    expectNoCanary(work);
  });

  it('still stages a self-contained image (qemu-img made monolithicSparse VMDK)', async () => {
    const raw = join(work, 'ok.raw');
    writeStandard(raw);
    const vmdk = join(work, 'ok.vmdk');
    qemuImg('convert', '-f', 'raw', '-O', 'vmdk', raw, vmdk);
    const out = join(work, 'ok.qcow2');
    expect(await stageDisk(createReadStream(vmdk), out, { name: 'ok.vmdk' })).toBe(statSync(raw).size);
    qemuImg('compare', '-q', '-f', 'raw', '-F', 'qcow2', raw, out);
  });
});

describe('Host.deploy() of a package whose disks name other files', () => {
  /** A package folder: `disks` (corpus files) as the machine's disks, copied beside the descriptor. */
  function pkg(disks: string[]): string {
    const dir = mkdtempSync(join(work, 'pkg-'));
    const env = createEnvelope({
      name: 'evil',
      cpus: 1,
      memoryBytes: 256n << 20n,
      osId: '101',
      osDescription: 'Linux',
    });
    const system = targetSystem(env);
    for (const d of disks) {
      const data = readFileSync(join(corpus.dir, d));
      writeFileSync(join(dir, d), data);
      addDisk(env, system, { href: d, fileSize: BigInt(data.length), capacityBytes: 1n << 20n });
    }
    const ovf = join(dir, 'evil.ovf');
    writeFileSync(ovf, formatOvf(env));
    return ovf;
  }

  it('refuses with DEPLOY_DISK (the sparse parent hint naming a member, capacity 0, json: backing), nothing kept', async () => {
    const packages = [
      ['vmdk-sparse-parent-hint.vmdk', 'vmdk-text-flat-abs.vmdk'],
      ['vmdk-cap0-flat-abs.vmdk'],
      ['qcow2-backing-json.qcow2'],
      ['vmdk-stream-parent.vmdk', 'vmdk-text-flat-abs.vmdk'],
    ];
    for (const disks of packages) {
      const h = await Host.open({
        stateDir: mkdtempSync(join(work, 'state-')),
        driverUri: 'test:///default',
      });
      hosts.push(h);
      const err = (await h.deploy({ package: pkg(disks), name: 'evil' }).done.catch((e: unknown) => e)) as {
        code?: string;
        message: string;
      };
      expect(err.code, disks[0]).toBe('DEPLOY_DISK');
      expect(err.message).toContain(`Image "${disks[0]}" refers to another file`);
      expect(await h.list()).toEqual([]);
      for (const sub of ['deploy', 'vms'])
        if (existsSync(join(h.stateDir, sub)))
          expect(readdirSync(join(h.stateDir, sub), { recursive: true })).toEqual([]);
      expectNoCanary(h.stateDir);
    }
  });
});
