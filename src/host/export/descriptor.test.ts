import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEPLOYED_OVF, xmllintOvf } from '../../../test/fixtures/export/system.js';
import { buildDefinition, type SimpleSystemSpec } from '../../model/index.js';
import {
  definitionFromOvf,
  findSection,
  findSections,
  formatOvf,
  hardwareOf,
  type OvfEnvelope,
  type OvfItem,
  parseOvf,
  validateOvf,
  virtualSystems,
} from '../../ovf/index.js';
import { readDeployedPackage } from './deployed.js';
import { buildExportDescriptor, type DescriptorInput, type DescriptorOptions } from './descriptor.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-export-desc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEC: SimpleSystemSpec = {
  name: 'web1',
  cpus: 2,
  memoryBytes: 512n << 20n,
  disks: ['/images/base1.raw', '/images/base2.qcow2'],
  diskBus: 'sata',
  cdroms: ['/images/tools.iso'],
  nics: [
    { network: 'user', model: 'virtio', mac: '52:54:00:12:34:56' },
    { network: 'lan', model: 'e1000' },
  ],
  firmware: 'efi',
  description: 'A web server',
};

function input(spec: SimpleSystemSpec = SPEC, extra: Partial<DescriptorInput> = {}): DescriptorInput {
  const definition = buildDefinition(spec);
  definition.system.VirtualSystemIdentifier = '7d8a3c1e-0000-4000-8000-000000000001';
  const drives = definition.resources.filter((r) => ['17', '15'].includes(r.properties.ResourceType ?? ''));
  const disks = drives
    .filter((r) => r.properties.ResourceType === '17')
    .map((r, i) => ({
      instanceId: r.properties.InstanceID!,
      diskId: `vmdisk${i + 1}`,
      fileId: `file${i + 1}`,
      href: `web1-disk${i + 1}.vmdk`,
      capacityBytes: 64n << 20n,
    }));
  const media = drives
    .filter((r) => r.properties.ResourceType === '15')
    .map((r, i) => ({
      instanceId: r.properties.InstanceID!,
      fileId: `file${disks.length + i + 1}`,
      href: 'tools.iso',
    }));
  return { definition, disks, media, emptied: [], ...extra };
}

const build = (o: Partial<DescriptorOptions> = {}, inp = input()) =>
  buildExportDescriptor(inp, { ovfVersion: '1.0', target: 'generic', ...o });

/** The descriptor as a consumer sees it: written, then parsed again. */
const reparse = (env: OvfEnvelope) => parseOvf(formatOvf(env));

function items(env: OvfEnvelope): OvfItem[] {
  return hardwareOf(virtualSystems(env)[0]!)!.items;
}

const byType = (env: OvfEnvelope, t: string) =>
  items(env).filter((i) => i.resource.properties.ResourceType === t);

/** xmllint against the DMTF OVF 1.1 envelope schema (which 1.0 descriptors follow). */
function schemaValid(env: OvfEnvelope, name: string): { ok: boolean; out: string } {
  const r = xmllintOvf(formatOvf(env), dir, name);
  return { ok: r.ok, out: r.output };
}

const errorsOf = (env: OvfEnvelope, target?: 'vmware' | 'virtualbox' | 'qemu') =>
  validateOvf(reparse(env), target === undefined ? {} : { target }).filter(
    (d) => d.severity === 'error' || d.code.startsWith('OVF_TARGET'),
  );

describe('buildExportDescriptor()', () => {
  it('writes every RASD as an Item with its InstanceID, disks as ovf:/disk, the CD image as ovf:/file', () => {
    const { env } = build();
    const def = input().definition;
    const got = items(reparse(env));
    expect(got.map((i) => i.resource.properties.InstanceID)).toEqual(
      def.resources.map((r) => r.properties.InstanceID),
    );
    const disks = got.filter((i) => i.resource.properties.ResourceType === '17');
    expect(disks.map((d) => d.resource.properties.HostResource)).toEqual([
      ['ovf:/disk/vmdisk1'],
      ['ovf:/disk/vmdisk2'],
    ]);
    expect(byType(env, '15')[0]!.resource.properties.HostResource).toEqual(['ovf:/file/file3']);
    expect(env.references.map((f) => f.href)).toEqual(['web1-disk1.vmdk', 'web1-disk2.vmdk', 'tools.iso']);
    const ds = findSection(env.sections, 'DiskSection')!;
    // Sizes in the largest binary unit that holds them exactly, the one rule of every OVF writer.
    expect(ds.disks.map((d) => [d.capacity, d.capacityAllocationUnits, d.fileRef])).toEqual([
      ['64', 'byte * 2^20', 'file1'],
      ['64', 'byte * 2^20', 'file2'],
    ]);
  });

  it('generic: validates with no error, and against the DMTF XSD with xmllint', () => {
    const { env } = build();
    expect(errorsOf(env, 'qemu')).toEqual([]);
    const x = schemaValid(env, 'generic');
    expect(x.out).toContain('validates');
    expect(x.ok).toBe(true);
  });

  it('generic: parses back to the same definition, apart from ids, disk paths and MACs', () => {
    const { env } = build();
    const back = definitionFromOvf(reparse(env)).definition;
    const want = input().definition;
    const strip = (d: typeof want) =>
      d.resources.map((r) => {
        const { HostResource: _h, Address, ...rest } = r.properties;
        return r.properties.ResourceType === '10'
          ? rest
          : { ...rest, ...(Address === undefined ? {} : { Address }) };
      });
    expect(strip(back)).toEqual(strip(want));
    expect(back.system.ElementName).toBe('web1');
    expect(back.system.VirtualSystemType).toBe('vessel-qemu');
    expect(back.system.Description).toBe('A web server');
  });

  it('leaves MAC addresses out unless asked to keep them', () => {
    expect(byType(build().env, '10').map((n) => n.resource.properties.Address)).toEqual([
      undefined,
      undefined,
    ]);
    expect(byType(build({ keepMacs: true }).env, '10')[0]!.resource.properties.Address).toBe(
      '52:54:00:12:34:56',
    );
  });

  it("writes EFI firmware as VMware's vmw:Config firmware, which VMware, virt-v2v and Vessel read", () => {
    const xml = formatOvf(build().env);
    expect(xml).toMatch(/<vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"\/>/);
  });

  it('vmware: family vmx-13, VMware subtypes, optional extras, and no vmware target diagnostics', () => {
    const spec: SimpleSystemSpec = { ...SPEC, diskBus: 'ide', cdroms: [], graphics: 'vnc' };
    const { env, notes } = build({ target: 'vmware' }, input(spec));
    const hw = hardwareOf(virtualSystems(env)[0]!)!;
    expect(hw.system!.properties.VirtualSystemType).toBe('vmx-13');
    expect(byType(env, '5').map((c) => c.resource.properties.ResourceSubType)).toEqual([undefined]);
    expect(byType(env, '10').map((n) => n.resource.properties.ResourceSubType)).toEqual(['VmxNet3', 'E1000']);
    expect(byType(env, '21')[0]!.required).toBe('false');
    expect(byType(env, '24')[0]!.resource.properties.ResourceSubType).toBeUndefined();
    expect(notes.some((n) => n.includes('"virtio"') && n.includes('VmxNet3'))).toBe(true);
    expect(formatOvf(env)).toContain('vmw:osType="otherGuest64"');
    expect(errorsOf(env, 'vmware')).toEqual([]);
    expect(schemaValid(env, 'vmware').ok).toBe(true);
  });

  it('vmware: SATA becomes vmware.sata.ahci, NVMe vmware.nvme.controller, virtio disks PVSCSI (the substitute)', () => {
    const sub = (bus: NonNullable<SimpleSystemSpec['diskBus']>) => {
      const { env } = build({ target: 'vmware' }, input({ ...SPEC, diskBus: bus }));
      const ctl = items(env).find(
        (i) =>
          ['5', '6', '20'].includes(i.resource.properties.ResourceType ?? '') &&
          i.resource.properties.ElementName !== 'IDE Controller 0',
      );
      return [ctl?.resource.properties.ResourceType, ctl?.resource.properties.ResourceSubType];
    };
    expect(sub('sata')).toEqual(['20', 'vmware.sata.ahci']);
    expect(sub('nvme')).toEqual(['20', 'vmware.nvme.controller']);
    expect(sub('virtio')).toEqual(['6', 'VirtualSCSI']);
    expect(sub('scsi')).toEqual(['6', 'lsilogic']);
  });

  it('vmware: refuses nothing the vmware profile of the validator flags, for every disk bus', () => {
    for (const bus of ['ide', 'sata', 'scsi', 'nvme', 'virtio'] as const) {
      const { env } = build(
        { target: 'vmware' },
        input({ ...SPEC, diskBus: bus, cdroms: bus === 'ide' ? [] : ['/i.iso'] }),
      );
      expect(errorsOf(env, 'vmware'), bus).toEqual([]);
    }
  });

  it('virtualbox: family virtualbox-2.2, VirtioSCSI for virtio disks, E1000 for VMXNET3, no virtualbox diagnostics', () => {
    const spec: SimpleSystemSpec = {
      ...SPEC,
      diskBus: 'virtio',
      nics: [{ network: 'user', model: 'vmxnet3' }],
    };
    const { env } = build({ target: 'virtualbox' }, input(spec));
    expect(hardwareOf(virtualSystems(env)[0]!)!.system!.properties.VirtualSystemType).toBe('virtualbox-2.2');
    expect(byType(env, '20').map((c) => c.resource.properties.ResourceSubType)).toEqual(['VirtioSCSI']);
    expect(byType(env, '5').map((c) => c.resource.properties.ResourceSubType)).toEqual(['PIIX4']);
    expect(byType(env, '10').map((c) => c.resource.properties.ResourceSubType)).toEqual(['E1000']);
    expect(errorsOf(env, 'virtualbox')).toEqual([]);
  });

  it("OVF 2.0: envelope/2 namespace and version 2.0, valid for Vessel's own validator", () => {
    const { env } = build({ ovfVersion: '2.0' });
    const xml = formatOvf(env);
    expect(xml).toContain('xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/2"');
    expect(xml).toContain('ovf:version="2.0"');
    const back = parseOvf(xml);
    expect(back.generation).toBe('2');
    expect(validateOvf(back).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('reports VSSD and RASD properties that have no place in OVF instead of writing them', () => {
    const inp = input();
    inp.definition.system.BootMenu = 'on';
    inp.definition.resources[0]!.properties.Colour = 'blue';
    const { env, notes } = build({}, inp);
    expect(notes).toContain('VSSD property BootMenu has no place in an OVF System element; dropped');
    expect(notes).toContain('Resource "1": property Colour has no place in an OVF Item; dropped');
    expect(formatOvf(env)).not.toContain('BootMenu');
    expect(formatOvf(env)).not.toContain('Colour');
  });
});

describe('buildExportDescriptor() of a deployed system', () => {
  const deployed = readDeployedPackage(
    (k) =>
      ({
        'ovf.descriptor': DEPLOYED_OVF,
        'ovf.configuration': 'large',
        'ovf.properties': JSON.stringify({
          'com.example.app.hostname': 'web1.example',
          admin_password: 's3cret',
        }),
      })[k],
  )!;
  const spec: SimpleSystemSpec = {
    name: 'appliance',
    cpus: 2,
    memoryBytes: 256n << 20n,
    disks: ['/images/a.qcow2'],
  };

  it('keeps the product, EULA, annotation, guest OS and transport, with the values given at deploy as defaults', () => {
    const { env, notes } = build({}, input(spec, { deployed }));
    const back = reparse(env);
    const vs = virtualSystems(back)[0]!;
    const ps = findSection(vs.sections, 'ProductSection')!;
    expect([ps.class, ps.product?.text, ps.vendor?.text, ps.fullVersion?.text]).toEqual([
      'com.example.app',
      'Example Appliance',
      'Example Inc.',
      '2.1.0-build7',
    ]);
    const props = Object.fromEntries(ps.entries.flatMap((e) => (e.entry === 'Property' ? [[e.key, e]] : [])));
    expect(props.hostname?.value).toBe('web1.example');
    expect(props.hostname?.qualifiers).toBe('MinLen(1) MaxLen(63)');
    expect(props.port?.value).toBe('8443');
    expect(props.port?.values).toEqual([]);
    expect(props.admin_password?.value).toBeUndefined();
    expect(props.admin_password?.password).toBe('true');
    expect(ps.icons).toEqual([]);
    expect(findSection(vs.sections, 'EulaSection')?.license.text).toBe('Use it kindly.');
    expect(findSection(vs.sections, 'AnnotationSection')?.annotation.text).toBe(
      'Deployed from the appliance package',
    );
    const os = findSections(vs.sections, 'OperatingSystemSection');
    expect(os.map((o) => o.id)).toEqual(['96']);
    expect(hardwareOf(vs)!.transport).toBe('iso com.vmware.guestInfo');
    expect(notes).toContain('Property "admin_password" is a password: its value is not exported');
    expect(validateOvf(back).filter((d) => d.severity === 'error')).toEqual([]);
    expect(schemaValid(env, 'deployed').ok).toBe(true);
  });

  it('a descriptor recorded at deploy that cannot be read costs the product section, not the export', () => {
    const bad = { ...deployed, descriptor: '<Envelope><unclosed>' };
    const { env, notes } = build({}, input(spec, { deployed: bad }));
    expect(findSection(virtualSystems(env)[0]!.sections, 'ProductSection')).toBeUndefined();
    expect(notes.some((n) => n.startsWith('The descriptor recorded at deploy cannot be read'))).toBe(true);
  });
});

describe('readDeployedPackage()', () => {
  it('reads the configuration as JSON or plain text and ignores property values that are not scalars', () => {
    const meta: Record<string, string> = {
      'ovf.descriptor': DEPLOYED_OVF,
      'ovf.configuration': '"large"',
      'ovf.properties': '{"a":"x","b":2,"c":{"x":1},"d":[1]}',
    };
    expect(readDeployedPackage((k) => meta[k])).toMatchObject({
      configuration: 'large',
      properties: { a: 'x', b: '2' },
    });
    meta['ovf.configuration'] = 'small';
    meta['ovf.properties'] = 'not json';
    expect(readDeployedPackage((k) => meta[k])).toMatchObject({ configuration: 'small', properties: {} });
  });

  it('is undefined for a system that was not deployed from a package', () => {
    expect(readDeployedPackage(() => undefined)).toBeUndefined();
    expect(readDeployedPackage((k) => (k === 'ovf.descriptor' ? '  ' : undefined))).toBeUndefined();
  });
});
