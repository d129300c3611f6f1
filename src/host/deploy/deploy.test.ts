import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/cli.js';
import { ensureTestGuest, type TestGuest } from '../../hypervisor/index.js';
import { imagePath, memoryBytes, readDevices } from '../../model/index.js';
import { packOva, unpackOva } from '../../ova/index.js';
import { parseEnvironment } from '../../ovf/index.js';
import { Host } from '../host.js';
import { DEPLOY_METADATA, type DeployRequest } from './deploy.js';
import { buildGuestPackage } from './guest.js';

let work: string;
let guest: TestGuest;
let ova: string;
let folder: string;
const hosts: Host[] = [];

async function host(): Promise<Host> {
  const h = await Host.open({ stateDir: mkdtempSync(join(work, 'state-')), driverUri: 'test:///default' });
  hosts.push(h);
  return h;
}

/** Everything a deploy may have left in the state directory: staging folders and system folders. */
function leftovers(h: Host): string[] {
  const out: string[] = [];
  for (const sub of ['deploy', 'vms']) {
    const d = join(h.stateDir, sub);
    if (existsSync(d)) out.push(...readdirSync(d, { recursive: true }).map((f) => `${sub}/${f}`));
  }
  return out;
}

/** Deploys and expects a refusal with `code`, with nothing registered and nothing left behind. */
async function refused(req: DeployRequest, code: string | RegExp): Promise<string> {
  const h = await host();
  const err = (await h.deploy(req).done.catch((e: unknown) => e)) as { code?: string; message: string };
  expect(err.code).toMatch(code);
  expect(await h.list()).toEqual([]);
  expect(leftovers(h)).toEqual([]);
  return err.message;
}

/** A copy of the unpacked guest package whose descriptor is edited by `edit`; the manifest goes with an edit. */
function variant(edit: (ovf: string) => string): string {
  const dir = mkdtempSync(join(work, 'pkg-'));
  cpSync(folder, dir, { recursive: true });
  const ovf = join(dir, 'vessel-guest.ovf');
  writeFileSync(ovf, edit(readFileSync(ovf, 'utf8')));
  rmSync(join(dir, 'vessel-guest.mf'));
  return ovf;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vessel-deploy-'));
  guest = await ensureTestGuest();
  ova = await buildGuestPackage({
    disk: guest.disk,
    out: join(work, 'guest.ova'),
    properties: [
      { key: 'greeting', type: 'string', qualifiers: 'MinLen(3)', userConfigurable: true, label: 'Greeting' },
      {
        key: 'mode',
        type: 'string',
        value: 'fast',
        userConfigurable: true,
        qualifiers: 'ValueMap{"fast","safe"}',
      },
    ],
  });
  folder = join(work, 'unpacked');
  await unpackOva(ova, folder);
}, 120_000);

afterAll(async () => {
  for (const h of hosts) await h.close();
  rmSync(work, { recursive: true, force: true });
});

describe('Host.deploy()', () => {
  it('deploys an OVA: disk as qcow2 in the store, property on the environment CD, metadata kept', async () => {
    const h = await host();
    const { job, done } = h.deploy({ package: ova, name: 'web1', properties: { greeting: 'hello-42' } });
    const r = await done;
    expect(r.manifest).toBe(true);
    expect(r.vms).toMatchObject([{ name: 'web1', systemId: 'vessel-guest', state: 'stopped' }]);
    expect(h.getJob(job.id)).toMatchObject({ state: 'completed', progress: 100, kind: 'vm.deploy' });
    const vm = h.get('web1');
    const hw = readDevices(vm.definition);
    const disk = imagePath(hw.drives.find((d) => d.kind === 'disk')!.hostResource)!;
    expect(disk.startsWith(join(h.stateDir, 'vms', vm.uuid))).toBe(true);
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', disk], { encoding: 'utf8' }));
    expect(info.format).toBe('qcow2');
    execFileSync('qemu-img', ['compare', '-q', disk, guest.disk]); // throws unless the guest sees the same bytes
    const iso = imagePath(hw.drives.find((d) => d.kind === 'cdrom')!.hostResource)!;
    const xml = execFileSync('isoinfo', ['-R', '-i', iso, '-x', '/ovf-env.xml'], { encoding: 'utf8' });
    expect(parseEnvironment(xml)).toMatchObject({
      id: 'vessel-guest',
      platform: { kind: 'Vessel' },
      properties: [
        { key: 'greeting', value: 'hello-42' },
        { key: 'mode', value: 'fast' },
      ],
    });
    const meta = h.getMetadata('web1');
    expect(meta[DEPLOY_METADATA.descriptor]).toMatch(/<(ovf:)?Property ovf:key="greeting"/);
    expect(JSON.parse(meta[DEPLOY_METADATA.properties]!)).toEqual({ greeting: 'hello-42', mode: 'fast' });
    expect(meta[DEPLOY_METADATA.configuration]).toBeUndefined();
    expect(readdirSync(join(h.stateDir, 'deploy'))).toEqual([]);
    await h.undefine('web1');
    expect(h.getMetadata.bind(h, 'web1')).toThrow(/No virtual system/);
    expect(h.store.getMetadata(vm.uuid)).toEqual({});
  });

  it('deploys a disk item with a capacity and no image (VMware new disk, DSP1047) as a blank disk of that size', async () => {
    const ovf = variant((x) =>
      x.replace(
        /(\s*)<\/(ovf:)?VirtualHardwareSection>/,
        (m, sp: string) =>
          `${sp}  <ovf:Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>Data</rasd:ElementName><rasd:InstanceID>99</rasd:InstanceID><rasd:PoolID>vmfs1</rasd:PoolID><rasd:ResourceType>17</rasd:ResourceType><rasd:VirtualQuantity>24</rasd:VirtualQuantity></ovf:Item>${m}`,
      ),
    );
    expect(readFileSync(ovf, 'utf8')).toContain('<rasd:InstanceID>99</rasd:InstanceID>');
    const h = await host();
    await h.deploy({ package: ovf, name: 'blank1', properties: { greeting: 'hello-42' } }).done;
    const vm = h.get('blank1');
    const data = readDevices(vm.definition).drives.find((d) => d.instanceId === '99')!;
    const path = imagePath(data.hostResource)!;
    expect(path).toBe(join(h.stateDir, 'vms', vm.uuid, 'image-item-99.qcow2'));
    expect(data.resource.properties.PoolID).toBeUndefined();
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', path], { encoding: 'utf8' }));
    expect([info.format, info['virtual-size']]).toEqual(['qcow2', 24 << 20]);
    await h.undefine('blank1');
  });

  it('deploys an OVF whose disk is stored in gzip-compressed chunks beside it', async () => {
    const chunked = join(work, 'chunked.ova');
    await packOva(join(folder, 'vessel-guest.ovf'), chunked, { chunkSize: 4 << 20, gzipLevel: 1 });
    const dir = join(work, 'chunked');
    await unpackOva(chunked, dir);
    expect(readdirSync(dir).filter((f) => f.startsWith('guest.vmdk.')).length).toBeGreaterThan(1);
    const h = await host();
    const r = await h.deploy({ package: join(dir, 'vessel-guest.ovf'), properties: { greeting: 'chunks' } })
      .done;
    expect(r.manifest).toBe(true);
    const disk = readDevices(h.get(r.vms[0]!.uuid).definition).drives.find((d) => d.kind === 'disk')!;
    execFileSync('qemu-img', ['compare', '-q', imagePath(disk.hostResource)!, guest.disk]);
  });

  it('deploys every system of a collection, for a deployment option, in StartupSection order', async () => {
    const h = await host();
    const started: string[] = [];
    h.subscribe((e) => {
      if (e.state === 'running') started.push(e.name);
    });
    const r = await h.deploy({
      package: join(ROOT, 'test/fixtures/deploy/collection.ovf'),
      configuration: 'large',
      networks: { front: 'user' },
      properties: { domain: 'corp.test' },
      powerOn: true,
    }).done;
    expect(r.configuration).toBe('large');
    expect(r.vms.map((v) => v.name)).toEqual(['db', 'web']);
    expect(r.started).toEqual(['db', 'web']);
    expect(started).toEqual(['db', 'web']);
    const db = h.get('db');
    expect(memoryBytes(db.definition)).toBe(512n << 20n);
    const hw = readDevices(db.definition);
    expect(hw.nics.map((n) => [n.subType, n.network])).toEqual([['VmxNet3', 'user']]);
    const blank = imagePath(hw.drives.find((d) => d.kind === 'disk')!.hostResource)!;
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', blank], { encoding: 'utf8' }));
    expect(info['virtual-size']).toBe(64 << 20);
    const iso = imagePath(hw.drives.find((d) => d.kind === 'cdrom')!.hostResource)!;
    const env = parseEnvironment(
      execFileSync('isoinfo', ['-R', '-i', iso, '-x', '/ovf-env.xml'], { encoding: 'utf8' }),
    );
    expect(env.properties).toEqual([
      { key: 'domain', value: 'corp.test' },
      { key: 'org.example.db.port', value: '5432' },
    ]);
    expect(env.entities).toEqual([{ id: 'web', properties: [] }]);
    expect(r.vms[1]!.notes.join()).toMatch(/Item "4" left out: Parallel port.*\(it is optional\)/);
    expect(h.getMetadata('web')[DEPLOY_METADATA.configuration]).toBe('large');
  });
});

describe('Host.deploy() refuses before anything is registered, and leaves nothing behind', () => {
  it('a manifest that lies about the disk (OVA_DIGEST_MISMATCH)', async () => {
    const bytes = readFileSync(ova);
    const at = bytes.indexOf('SHA256(guest.vmdk)= ') + 'SHA256(guest.vmdk)= '.length;
    bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
    const liar = join(work, 'liar.ova');
    writeFileSync(liar, bytes);
    const msg = await refused({ package: liar, properties: { greeting: 'hey' } }, 'OVA_DIGEST_MISMATCH');
    expect(msg).toMatch(/"guest.vmdk" does not match the manifest/);
  });

  it('an href that climbs out of the package (OVA_UNSAFE_NAME)', async () => {
    writeFileSync(join(work, 'outside.vmdk'), 'x');
    const ovf = variant((t) => t.replace('ovf:href="guest.vmdk"', 'ovf:href="../outside.vmdk"'));
    await refused({ package: ovf, properties: { greeting: 'hey' } }, 'OVA_UNSAFE_NAME');
  });

  it('a descriptor with a DOCTYPE (OVF_XML_DOCTYPE)', async () => {
    const ovf = variant((t) =>
      t.replace('<ovf:Envelope', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<ovf:Envelope'),
    );
    await refused({ package: ovf }, 'OVF_XML_DOCTYPE');
  });

  it('absurd disk capacities (DEPLOY_INVALID beyond 2^64 bytes, DEPLOY_DISK beyond 64 TiB)', async () => {
    const cap = (units: string) =>
      variant((t) =>
        t
          .replace(/ovf:capacity="\d+"/, 'ovf:capacity="1"')
          .replace(/ovf:capacityAllocationUnits="[^"]*"/, `ovf:capacityAllocationUnits="${units}"`),
      );
    expect(
      await refused({ package: cap('byte * 2^70'), properties: { greeting: 'hey' } }, 'DEPLOY_INVALID'),
    ).toMatch(/beyond 2\^64/);
    expect(
      await refused({ package: cap('byte * 2^50'), properties: { greeting: 'hey' } }, 'DEPLOY_DISK'),
    ).toMatch(/at most/);
  });

  it('a disk larger than its declared capacity (DEPLOY_DISK)', async () => {
    const ovf = variant((t) =>
      t
        .replace(/ovf:capacity="\d+"/, 'ovf:capacity="1048576"')
        .replace(/ovf:populatedSize="\d+"/, '')
        .replace(/ovf:capacityAllocationUnits="[^"]*"/, 'ovf:capacityAllocationUnits="byte"'),
    );
    expect(await refused({ package: ovf, properties: { greeting: 'hey' } }, 'DEPLOY_DISK')).toMatch(
      /more than the 1048576 bytes/,
    );
  });

  it('a missing disk file (OVA_MISSING_FILE)', async () => {
    const ovf = variant((t) => t);
    rmSync(join(ovf, '..', 'guest.vmdk'));
    await refused({ package: ovf, properties: { greeting: 'hey' } }, 'OVA_MISSING_FILE');
  });

  it('a qcow2 disk with a backing file on the host (DEPLOY_DISK)', async () => {
    const ovf = variant((t) =>
      t.replace('ovf:href="guest.vmdk"', 'ovf:href="evil.qcow2"').replace(/ovf:size="\d+"/, ''),
    );
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      'raw',
      '-b',
      guest.disk,
      join(ovf, '..', 'evil.qcow2'),
    ]);
    expect(await refused({ package: ovf, properties: { greeting: 'hey' } }, 'DEPLOY_DISK')).toMatch(
      /backing file/,
    );
  });

  it('a disk that is a remote URL (DEPLOY_PACKAGE)', async () => {
    const ovf = variant((t) =>
      t.replace('ovf:href="guest.vmdk"', 'ovf:href="http://example.test/guest.vmdk"'),
    );
    await refused({ package: ovf, properties: { greeting: 'hey' } }, 'DEPLOY_PACKAGE');
  });

  it('bad or missing property values (DEPLOY_PROPERTY)', async () => {
    expect(await refused({ package: ova }, 'DEPLOY_PROPERTY')).toMatch(
      /"greeting" \(Greeting\) has no default/,
    );
    expect(await refused({ package: ova, properties: { greeting: 'hi' } }, 'DEPLOY_PROPERTY')).toMatch(
      /MinLen\(3\)/,
    );
    expect(
      await refused({ package: ova, properties: { greeting: 'hey', mode: 'slow' } }, 'DEPLOY_PROPERTY'),
    ).toMatch(/ValueMap/);
  });

  it('an unsigned package when a signature is required (OVA_SIGNATURE_REQUIRED)', async () => {
    const msg = await refused(
      { package: ova, properties: { greeting: 'hey' }, requireSignature: true },
      'OVA_SIGNATURE_REQUIRED',
    );
    expect(msg).toMatch(/not signed/);
  });

  it('a license agreement that was not accepted (DEPLOY_EULA)', async () => {
    const eula = await buildGuestPackage({
      disk: guest.disk,
      out: join(work, 'eula.ova'),
      eula: 'You may not deploy this.',
    });
    expect(await refused({ package: eula }, 'DEPLOY_EULA')).toMatch(/must be accepted/);
    const h = await host();
    expect((await h.deploy({ package: eula, acceptEula: true }).done).vms).toHaveLength(1);
  });

  it('an unknown deployment option or network, or a name in use (USAGE, VM_EXISTS)', async () => {
    await refused({ package: ova, configuration: 'huge', properties: { greeting: 'hey' } }, 'USAGE');
    await refused({ package: ova, networks: { nope: 'user' }, properties: { greeting: 'hey' } }, 'USAGE');
    const h = await host();
    await h.deploy({ package: ova, name: 'twice', properties: { greeting: 'hey' } }).done;
    const err = (await h
      .deploy({ package: ova, name: 'twice', properties: { greeting: 'hey' } })
      .done.catch((e: unknown) => e)) as { code: string };
    expect(err.code).toBe('VM_EXISTS');
    expect((await h.list()).map((v) => v.name)).toEqual(['twice']);
  });

  it('a required device QEMU does not have (DEPLOY_HARDWARE), unless --lax', async () => {
    const ovf = variant((t) =>
      t
        .replace(
          '<ovf:ResourceSubType>E1000</ovf:ResourceSubType>',
          '<ovf:ResourceSubType>SriovEthernetCard</ovf:ResourceSubType>',
        )
        .replace(
          '<rasd:ResourceSubType>E1000</rasd:ResourceSubType>',
          '<rasd:ResourceSubType>SriovEthernetCard</rasd:ResourceSubType>',
        ),
    );
    expect(await refused({ package: ovf, properties: { greeting: 'hey' } }, 'DEPLOY_HARDWARE')).toMatch(
      /SriovEthernetCard/,
    );
    const h = await host();
    const r = await h.deploy({ package: ovf, properties: { greeting: 'hey' }, lax: true }).done;
    expect(readDevices(h.get(r.vms[0]!.uuid).definition).nics).toEqual([]);
  });
});
