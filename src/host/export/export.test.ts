import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEPLOYED_OVF,
  dirtyOverlay,
  hostWith,
  makeSigner,
  sameContent,
  writeBase,
  writeIso,
  xmllintOvf,
} from '../../../test/fixtures/export/system.js';
import {
  buildDefinition,
  readDevices,
  type VesselError,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import {
  loadSigner,
  parseCertFile,
  parseManifest,
  readOvaDescriptor,
  unpackOva,
  verifyCertFile,
  verifyOva,
} from '../../ova/index.js';
import { definitionFromOvf, findSection, parseOvf, validateOvf, virtualSystems } from '../../ovf/index.js';
import type { Host } from '../host.js';
import { exportSystem } from './export.js';

const root = mkdtempRoot();
function mkdtempRoot(): string {
  const d = join(tmpdir(), `vessel-export-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(d, { recursive: true });
  return d;
}
const state = join(root, 'state');
const base = join(root, 'base.raw');
const iso = join(root, 'tools.iso');
let host: Host;
let uuid: string;
let definition: VirtualSystemDefinition;
let overlay: string;

beforeAll(async () => {
  writeBase(base);
  writeIso(iso);
  ({ host, uuid, definition } = await hostWith(state, {
    name: 'web1',
    cpus: 2,
    memoryBytes: 256n << 20n,
    disks: [base],
    cdroms: [iso],
    nics: [{ network: 'user', model: 'virtio' }],
    firmware: 'bios',
  }));
  const diskId = readDevices(definition).drives.find((d) => d.kind === 'disk')!.instanceId;
  overlay = await dirtyOverlay(state, uuid, diskId, base);
});
afterAll(async () => {
  await host?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The definition with what an export leaves out (ids, image paths, MACs) taken away. */
function comparable(def: VirtualSystemDefinition) {
  return {
    name: def.system.ElementName,
    type: def.system.VirtualSystemType,
    resources: def.resources.map((r) => {
      const { HostResource, Address, ...rest } = r.properties;
      const isNic = r.properties.ResourceType === '10';
      return {
        ...rest,
        ...(Address === undefined || isNic ? {} : { Address }),
        image: HostResource !== undefined,
      };
    }),
  };
}

describe('Host.exportVm() on real images', () => {
  it('exports an OVA that verifies, describes the same system, and holds the flattened overlay chain', async () => {
    const out = join(root, 'web1.ova');
    const { job, done } = host.exportVm('web1', { format: 'ova', output: out });
    const r = await done;
    expect(r.disks).toHaveLength(1);
    expect(r.disks[0]).toMatchObject({ source: overlay, overlay: true, href: 'web1-disk1.vmdk' });
    expect(host.getJob(job.id)).toMatchObject({ state: 'completed', progress: 100 });

    const report = await verifyOva(out);
    expect(report.problems).toEqual([]);
    expect(report.intact).toBe(true);
    expect(report.manifest?.algorithms).toEqual(['sha256']);
    expect(report.members.map((m) => m.name)).toEqual([
      'web1.ovf',
      'web1.mf',
      'web1-disk1.vmdk',
      'tools.iso',
    ]);

    const text = (await readOvaDescriptor(out)).data;
    expect(xmllintOvf(text, root, 'web1')).toMatchObject({ ok: true });
    const env = parseOvf(text);
    expect(validateOvf(env, { target: 'qemu' }).filter((d) => d.severity === 'error')).toEqual([]);
    const back = definitionFromOvf(env);
    expect(comparable(back.definition)).toEqual(comparable(definition));
    const disk = findSection(env.sections, 'DiskSection')!.disks[0]!;
    expect([disk.capacity, disk.capacityAllocationUnits]).toEqual(['16', 'byte * 2^20']);
    expect(Number(disk.populatedSize)).toBeGreaterThan(1 << 20);

    const unpacked = join(root, 'unpacked');
    await unpackOva(out, unpacked);
    expect(sameContent(overlay, join(unpacked, 'web1-disk1.vmdk'))).toBe(true);
    expect(sameContent(base, join(unpacked, 'web1-disk1.vmdk'))).toBe(false);
    expect(readFileSync(join(unpacked, 'tools.iso'))).toEqual(readFileSync(iso));
  });

  it('reports progress that only grows, through the flattening and the encoding, up to 100', async () => {
    const seen: number[] = [];
    await exportSystem(
      {
        stateDir: state,
        uuid,
        definition: host.get(uuid).definition,
        metadata: {},
        diskImages: () => host.driver.diskImages!(uuid),
      },
      { format: 'ova', output: join(root, 'progress.ova'), level: 1, onProgress: (p) => seen.push(p) },
    );
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((p, i) => i === 0 || p >= seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(100);
  });

  it('stores an image two drives share once, and never under the name of the descriptor or manifest', async () => {
    const odd = join(root, 'twins.mf');
    writeIso(odd);
    await host.define(
      buildDefinition({
        name: 'twins',
        cpus: 1,
        memoryBytes: 64n << 20n,
        disks: [base],
        diskBus: 'sata',
        cdroms: [iso, iso, odd],
      }),
    );
    const out = join(root, 'twins.ova');
    await host.exportVm('twins', { format: 'ova', output: out, level: 1 }).done;
    const report = await verifyOva(out);
    expect(report.intact).toBe(true);
    expect(report.members.map((m) => m.name)).toEqual([
      'twins.ovf',
      'twins.mf',
      'twins-disk1.vmdk',
      'tools.iso',
      '2-twins.mf',
    ]);
    const env = parseOvf((await readOvaDescriptor(out)).data);
    const cds = definitionFromOvf(env).definition.resources.filter((r) => r.properties.ResourceType === '15');
    expect(cds.map((r) => r.properties.HostResource)).toEqual([
      ['ovf:/file/file2'],
      ['ovf:/file/file2'],
      ['ovf:/file/file3'],
    ]);
    await host.undefine('twins');
  });

  it('refuses a running system, saying why, and exports it once it is stopped again', async () => {
    await host.change('web1', 'start').done;
    const out = join(root, 'running.ova');
    const err = await host.exportVm('web1', { format: 'ova', output: out }).done.catch((e: VesselError) => e);
    expect(err).toMatchObject({ code: 'INVALID_STATE', message: 'Cannot export "web1": it is running' });
    expect(existsSync(out)).toBe(false);
    await host.change('web1', 'powerOff').done;
    await host.exportVm('web1', { format: 'ova', output: out, level: 1 }).done;
    expect((await verifyOva(out)).intact).toBe(true);
  });

  it('refuses to replace an existing output unless asked, and leaves no partial file on failure', async () => {
    const out = join(root, 'exists.ova');
    writeFileSync(out, 'keep me');
    const err = await host.exportVm('web1', { format: 'ova', output: out }).done.catch((e: VesselError) => e);
    expect(err).toMatchObject({ code: 'EXPORT_OUTPUT' });
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const bad = await host
      .exportVm('web1', { format: 'ova', output: out, overwrite: true, target: 'vmware', ovfVersion: '2.0' })
      .done.catch((e: VesselError) => e);
    expect(bad).toMatchObject({ code: 'USAGE' });
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect(readdirSync(root).filter((f) => f.includes('partial') || f.startsWith('.vessel-export'))).toEqual(
      [],
    );
  });

  it('exports an OVF folder with a SHA-512 manifest and a certificate that verify', async () => {
    const keys = makeSigner(root);
    const signer = loadSigner(readFileSync(keys.key), readFileSync(keys.cert));
    const dir = join(root, 'folder');
    const r = await host.exportVm('web1', { format: 'ovf', output: dir, manifest: 'sha512', signer }).done;
    expect(r.signed).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([
      'tools.iso',
      'web1-disk1.vmdk',
      'web1.cert',
      'web1.mf',
      'web1.ovf',
    ]);
    const mf = readFileSync(join(dir, 'web1.mf'));
    const entries = parseManifest(mf);
    expect(entries.map((e) => e.file).sort()).toEqual(['tools.iso', 'web1-disk1.vmdk', 'web1.ovf']);
    for (const e of entries) {
      expect(e.algorithm).toBe('sha512');
      expect(
        createHash('sha512')
          .update(readFileSync(join(dir, e.file)))
          .digest('hex'),
      ).toBe(e.digest);
    }
    const cert = readFileSync(join(dir, 'web1.cert'));
    // verifyCertFile throws OVA_SIGNATURE_INVALID on a bad signature; a CA bundle of the signer makes it trusted.
    const check = verifyCertFile(parseCertFile(cert), mf, { ca: [signer.certificates[0]!] });
    expect(check.trusted).toBe(true);
    const tampered = Buffer.from(
      mf.toString().replace(/= ([0-9a-f])/, (_m, c: string) => `= ${c === '0' ? '1' : '0'}`),
    );
    expect(() => verifyCertFile(parseCertFile(cert), tampered)).toThrow(/does not match the manifest/);
    const env = parseOvf(readFileSync(join(dir, 'web1.ovf')));
    const sizes = Object.fromEntries(env.references.map((f) => [f.href, Number(f.size)]));
    expect(sizes['web1-disk1.vmdk']).toBe(readFileSync(join(dir, 'web1-disk1.vmdk')).length);
    expect(sameContent(overlay, join(dir, 'web1-disk1.vmdk'))).toBe(true);
  });

  it('-o FOLDER/NAME.ovf writes into an existing folder beside its files, and never over a package', async () => {
    const folder = join(root, 'existing');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    const out = join(folder, 'custom.ovf');
    await host.exportVm('web1', { format: 'ovf', output: out, level: 1 }).done;
    expect(readdirSync(folder).sort()).toEqual([
      'custom.mf',
      'custom.ovf',
      'notes.txt',
      'tools.iso',
      'web1-disk1.vmdk',
    ]);
    expect(parseManifest(readFileSync(join(folder, 'custom.mf'))).map((e) => e.file)).toContain('custom.ovf');
    const again = await host
      .exportVm('web1', { format: 'ovf', output: out })
      .done.catch((e: VesselError) => e);
    expect(again).toMatchObject({ code: 'EXPORT_OUTPUT' });
    const other = await host
      .exportVm('web1', { format: 'ovf', output: join(folder, 'other.ovf'), level: 1 })
      .done.catch((e: VesselError) => e);
    expect(other).toMatchObject({
      code: 'EXPORT_OUTPUT',
      message: expect.stringContaining('web1-disk1.vmdk exists already'),
    });
    expect(readdirSync(folder).filter((f) => f.includes('partial'))).toEqual([]);
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('for VMware: vmx-13, VmxNet3, no PIIX4, and SHA256(name)= hex manifest lines', async () => {
    const out = join(root, 'vmware.ova');
    const r = await host.exportVm('web1', { format: 'ova', output: out, target: 'vmware', level: 1 }).done;
    expect(r.notes.some((n) => n.includes('VmxNet3'))).toBe(true);
    const text = (await readOvaDescriptor(out)).data.toString('utf8');
    expect(xmllintOvf(text, root, 'vmware')).toMatchObject({ ok: true });
    expect(text).toContain('<vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>');
    expect(text).not.toContain('PIIX4');
    const unpacked = join(root, 'vmware');
    await unpackOva(out, unpacked);
    const mf = readFileSync(join(unpacked, 'web1.mf'), 'utf8');
    expect(mf).toMatch(/^SHA256\(web1\.ovf\)= [0-9a-f]{64}\nSHA256\(web1-disk1\.vmdk\)= [0-9a-f]{64}\n/);
  });

  it('deploy(export(vm)) gives the same definition and disks equal by qemu-img compare', async () => {
    const out = join(root, 'roundtrip.ova');
    await host.exportVm('web1', { format: 'ova', output: out, level: 1 }).done;
    const r = await host.deploy({ package: out, name: 'web1-copy' }).done;
    expect(r.vms).toHaveLength(1);
    const copy = host.get(r.vms[0]!.uuid);
    expect(copy.uuid).not.toBe(uuid);
    expect(comparable(copy.definition)).toEqual({ ...comparable(definition), name: 'web1-copy' });
    expect(copy.definition.system.Firmware).toBe('bios');
    const images = (d: VirtualSystemDefinition) =>
      readDevices(d).drives.map((x) => x.hostResource?.replace(/^file:\/\//, '') ?? '');
    const [disk, cd] = images(copy.definition);
    expect(sameContent(overlay, disk!)).toBe(true);
    expect(readFileSync(cd!)).toEqual(readFileSync(iso));
    await host.undefine('web1-copy');
  });

  it('a deployed system exports with its product and values, and deploys again to the same system', async () => {
    const pw = { 'com.example.app.admin_password': 'pw1' };
    host.setMetadata('web1', 'ovf.descriptor', DEPLOYED_OVF);
    host.setMetadata('web1', 'ovf.properties', JSON.stringify({ 'com.example.app.hostname': 'gen0' }));
    const a = join(root, 'gen0.ova');
    await host.exportVm('web1', { format: 'ova', output: a, level: 1 }).done;
    host.setMetadata('web1', 'ovf.descriptor', '');
    const gen1 = (await host.deploy({ package: a, name: 'gen1', properties: pw, acceptEula: true }).done)
      .vms[0]!;
    const g1 = host.get(gen1.uuid);
    const envCd = readDevices(g1.definition).drives.find((d) => d.hostResource?.endsWith('ovf-env.iso'));
    expect(envCd?.kind).toBe('cdrom');

    const b = join(root, 'gen1.ova');
    const r = await host.exportVm('gen1', { format: 'ova', output: b, level: 1 }).done;
    expect(r.fromDeploy).toBe(true);
    // The deploy stored the ISO as file-ID; the export gives it back its name in the package (issue 11).
    const cd = readDevices(g1.definition).drives.find(
      (d) => d.kind === 'cdrom' && d.instanceId !== envCd!.instanceId,
    )!;
    expect(cd.hostResource).not.toMatch(/tools\.iso$/);
    const refs = parseOvf((await readOvaDescriptor(b)).data).references.map((f) => f.href);
    expect(refs).toContain('tools.iso');
    expect(r.files.map((f) => f.name)).toContain('tools.iso');
    expect(r.notes).toContain(
      `Drive "${envCd!.instanceId}" written empty: its image was made by this host (the OVF environment of a deploy, made again by the next one)`,
    );
    expect(r.notes).toContain('Property "admin_password" is a password: its value is not exported');
    const gen2 = (await host.deploy({ package: b, name: 'gen2', properties: pw, acceptEula: true }).done)
      .vms[0]!;
    const g2 = host.get(gen2.uuid);
    expect(comparable(g2.definition)).toEqual({ ...comparable(g1.definition), name: 'gen2' });
    const props = (vm: string) => JSON.parse(host.getMetadata(vm)['ovf.properties'] ?? '{}');
    expect(props('gen2')).toEqual(props('gen1'));
    expect(props('gen2')['com.example.app.hostname']).toBe('gen0');
    const disks = (d: VirtualSystemDefinition) =>
      readDevices(d)
        .drives.filter((x) => x.kind === 'disk')
        .map((x) => x.hostResource!.replace(/^file:\/\//, ''));
    expect(sameContent(disks(g1.definition)[0]!, disks(g2.definition)[0]!)).toBe(true);
    expect(sameContent(overlay, disks(g2.definition)[0]!)).toBe(true);
    await host.undefine('gen1');
    await host.undefine('gen2');
  });

  it('keeps the product section and the values given at deploy from the host metadata', async () => {
    host.store.setMetadata(uuid, 'ovf.descriptor', DEPLOYED_OVF);
    host.store.setMetadata(uuid, 'ovf.configuration', 'large');
    host.store.setMetadata(uuid, 'ovf.properties', JSON.stringify({ hostname: 'web1.lan' }));
    try {
      const out = join(root, 'deployed.ova');
      const r = await host.exportVm('web1', { format: 'ova', output: out, level: 1 }).done;
      expect(r.fromDeploy).toBe(true);
      const env = parseOvf((await readOvaDescriptor(out)).data);
      const ps = findSection(virtualSystems(env)[0]!.sections, 'ProductSection')!;
      const values = ps.entries.flatMap((e) => (e.entry === 'Property' ? [[e.key, e.value]] : []));
      expect(values).toEqual([
        ['hostname', 'web1.lan'],
        ['port', '8443'],
        ['admin_password', undefined],
      ]);
    } finally {
      for (const k of ['ovf.descriptor', 'ovf.configuration', 'ovf.properties'])
        host.store.setMetadata(uuid, k, '');
    }
  });
});
