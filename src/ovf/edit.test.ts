import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../../test/helpers/corpus.js';
import { OvfError } from './errors.js';
import { formatOvf } from './format.js';
import {
  addDisk,
  addNic,
  createEnvelope,
  removeConfiguration,
  removeDisk,
  removeProperty,
  setAnnotation,
  setConfiguration,
  setCpus,
  setEula,
  setMemory,
  setProduct,
  setProperty,
  targetSystem,
} from './index.js';
import { ovfInfo } from './info.js';
import { parseOvf } from './parse.js';
import { hardwareOf } from './select.js';

const CSR = join(CORPUS, 'glennmatthews__cot__COT__tests__csr1000v.ovf');
const reparse = (env: ReturnType<typeof parseOvf>) => parseOvf(formatOvf(env));

function editError(fn: () => unknown): OvfError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OvfError) return e;
    throw e;
  }
  throw new Error('expected an OvfError');
}

describe('OVF editing', () => {
  it('changes product info and a property of a real appliance, keeping everything else', () => {
    const before = parseOvf(readFileSync(CSR));
    const env = parseOvf(readFileSync(CSR));
    const sys = targetSystem(env);
    setProduct(sys, { version: '99.1' });
    setProperty(sys, 'login-username', { value: 'admin' });
    const after = reparse(env);
    const i0 = ovfInfo(before);
    const i1 = ovfInfo(after);
    expect(i1.systems[0]?.products.map((p) => p.version)).toEqual(['99.1']);
    expect(
      i1.systems[0]?.properties.find((p) => p.key === 'com.cisco.csr1000v.login-username.1')?.value,
    ).toBe('admin');
    // Nothing else moved: same files, disks, networks, hardware, and the same number of sections and items.
    expect(i1.files).toEqual(i0.files);
    expect(i1.disks).toEqual(i0.disks);
    expect(i1.systems[0]?.hardware).toEqual(i0.systems[0]?.hardware);
    expect(after.content?.sections.map((s) => s.kind)).toEqual(before.content?.sections.map((s) => s.kind));
    const out = formatOvf(env);
    expect(out).toContain('http://www.cisco.com/');
  });

  it('adds, changes and removes properties with type and qualifiers', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 256n << 20n });
    const sys = targetSystem(env);
    expect(editError(() => setProperty(sys, 'ip', { value: '1.2.3.4' })).message).toMatch(/give its type/);
    setProperty(sys, 'ip', {
      type: 'string',
      value: '10.0.0.1',
      qualifiers: 'MinLen(7) MaxLen(15)',
      userConfigurable: true,
      label: 'IP',
    });
    setProperty(sys, 'ip', { value: '10.0.0.2' });
    let p = ovfInfo(reparse(env)).systems[0]?.properties[0];
    expect(p).toMatchObject({
      key: 'ip',
      type: 'string',
      value: '10.0.0.2',
      qualifiers: 'MinLen(7) MaxLen(15)',
      userConfigurable: true,
      label: 'IP',
    });
    removeProperty(sys, 'ip');
    p = ovfInfo(reparse(env)).systems[0]?.properties[0];
    expect(p).toBeUndefined();
    expect(editError(() => removeProperty(sys, 'ip')).code).toBe('OVF_EDIT');
    expect(editError(() => setProperty(sys, 'bad key', { type: 'string' })).message).toMatch(
      /not a valid property key/,
    );
  });

  it('sets memory exactly, in MiB when whole and in bytes otherwise', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 256n << 20n });
    const sys = targetSystem(env);
    setMemory(sys, 3n << 30n);
    expect(ovfInfo(reparse(env)).systems[0]?.hardware['']?.memoryBytes).toBe(3 * 2 ** 30);
    setMemory(sys, (5n << 20n) + 512n);
    expect(ovfInfo(reparse(env)).systems[0]?.hardware['']?.memoryBytes).toBe(5 * 2 ** 20 + 512);
    expect(editError(() => setMemory(sys, 0n)).code).toBe('OVF_EDIT');
  });

  it('keeps VirtualQuantityUnits in step when it sets memory (it governs VirtualQuantity)', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 1n << 30n, generation: '2' });
    const sys = targetSystem(env);
    const mem = hardwareOf(sys)!.items.find((i) => i.resource.properties.ResourceType === '4')!;
    Object.assign(mem.resource.properties, { VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' });
    setMemory(sys, 512n << 20n);
    expect(mem.resource.properties).toMatchObject({
      VirtualQuantity: '512',
      VirtualQuantityUnits: 'byte * 2^20',
    });
    expect(ovfInfo(reparse(env)).systems[0]?.hardware['']?.memoryBytes).toBe(512 * 2 ** 20);
  });

  it('changes CPUs for one deployment option only, splitting a shared item', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 256n << 20n });
    const sys = targetSystem(env);
    setConfiguration(env, 'small', { label: 'Small', default: true });
    setConfiguration(env, 'large', { label: 'Large' });
    setCpus(sys, 8, 'large', env);
    const info = ovfInfo(reparse(env));
    expect(info.systems[0]?.hardware.small?.cpus).toBe(1);
    expect(info.systems[0]?.hardware.large?.cpus).toBe(8);
    expect(info.configurations.find((c) => c.default)?.id).toBe('small');
    removeConfiguration(env, 'large');
    const info2 = ovfInfo(reparse(env));
    expect(info2.configurations.map((c) => c.id)).toEqual(['small']);
    expect(info2.systems[0]?.hardware.small?.cpus).toBe(1);
    expect(editError(() => setCpus(sys, 2, 'nope', env)).message).toMatch(/No deployment option/);
  });

  it('adds and removes disks, NICs and networks with resolvable references', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 256n << 20n });
    const sys = targetSystem(env);
    const id = addDisk(env, sys, { href: 'a.vmdk', fileSize: 10n, capacityBytes: 2n << 30n });
    addDisk(env, sys, { capacityBytes: 1000n });
    addNic(env, sys, 'lan', 'virtio');
    let info = ovfInfo(reparse(env));
    expect(info.files).toEqual([{ id: 'file1', href: 'a.vmdk', size: 10 }]);
    expect(info.disks.map((d) => [d.diskId, d.capacityBytes, d.fileRef])).toEqual([
      [id, 2 ** 31, 'file1'],
      ['vmdisk2', 1000, undefined],
    ]);
    expect(info.networks.map((n) => n.name)).toEqual(['lan']);
    const hw = info.systems[0]?.hardware[''];
    expect(hw?.disks.map((d) => d.hostResource)).toEqual([`ovf:/disk/${id}`, 'ovf:/disk/vmdisk2']);
    expect(hw?.controllers[0]?.subtype).toBe('lsilogic');
    expect(hw?.disks[0]?.controller).toBe(hw?.controllers[0]?.instanceId);
    expect(hw?.nics).toEqual([{ name: 'Ethernet 1', model: 'virtio', network: 'lan' }]);
    removeDisk(env, id);
    info = ovfInfo(reparse(env));
    expect(info.files).toEqual([]);
    expect(info.systems[0]?.hardware['']?.disks.map((d) => d.hostResource)).toEqual(['ovf:/disk/vmdisk2']);
    expect(editError(() => addDisk(env, sys, { capacityBytes: 0n })).code).toBe('OVF_EDIT');
  });

  it('sets and removes the annotation and the EULA', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 256n << 20n });
    const sys = targetSystem(env);
    setAnnotation(sys, 'hello');
    setEula(sys, 'terms');
    let info = ovfInfo(reparse(env));
    expect(info.systems[0]).toMatchObject({ annotation: 'hello', eula: true });
    setAnnotation(sys, '');
    setEula(sys, '');
    info = ovfInfo(reparse(env));
    expect(info.systems[0]).toMatchObject({ annotation: undefined, eula: false });
  });

  it('refuses to edit a system that does not exist', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 256n << 20n });
    expect(editError(() => targetSystem(env, 'other')).message).toBe('No VirtualSystem has ovf:id "other"');
  });
});

describe('definitionFromOvf()', () => {
  it('lets the item written for the chosen configuration replace the general one with the same InstanceID', async () => {
    const { definitionFromOvf } = await import('./definition.js');
    const env =
      parseOvf(`<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
      xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"><References/>
      <DeploymentOptionSection><Info>o</Info><Configuration ovf:id="small"><Label>s</Label><Description>s</Description></Configuration>
        <Configuration ovf:id="big"><Label>b</Label><Description>b</Description></Configuration></DeploymentOptionSection>
      <VirtualSystem ovf:id="vm"><Info>vm</Info><VirtualHardwareSection><Info>hw</Info>
        <Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
        <Item ovf:configuration="big"><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>8</rasd:VirtualQuantity></Item>
      </VirtualHardwareSection></VirtualSystem></Envelope>`);
    const cpus = (cfg: string) =>
      definitionFromOvf(env, { configuration: cfg }).definition.resources.map(
        (r) => r.properties.VirtualQuantity,
      );
    expect(cpus('small')).toEqual(['1']);
    expect(cpus('big')).toEqual(['8']);
    expect(() => definitionFromOvf(env, { configuration: 'huge' })).toThrow(/no deployment option "huge"/);
  });
});
