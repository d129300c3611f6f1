import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusCases } from '../../../test/helpers/corpus.js';
import { bytesOf } from '../../model/index.js';
import { definitionFromOvf } from '../definition.js';
import { OvfError } from '../errors.js';
import { formatOvf } from '../format.js';
import {
  addDisk,
  addNic,
  createEnvelope,
  findProperty,
  removeConfiguration,
  removeDisk,
  removeProperty,
  setAnnotation,
  setConfiguration,
  setCpus,
  setEula,
  setMemory,
  setNicNetwork,
  setProduct,
  setProperty,
  targetSystem,
} from '../index.js';
import { ovfInfo } from '../info.js';
import { parseOvf } from '../parse.js';
import { findSection, hardwareOf } from '../select.js';
import { validateOvf } from '../validate/validate.js';
import { assertEditValid } from './check.js';

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
    expect(ovfInfo(reparse(env)).systems[0]?.hardware[0]?.memoryBytes).toBe(3 * 2 ** 30);
    setMemory(sys, (5n << 20n) + 512n);
    expect(ovfInfo(reparse(env)).systems[0]?.hardware[0]?.memoryBytes).toBe(5 * 2 ** 20 + 512);
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
    expect(ovfInfo(reparse(env)).systems[0]?.hardware[0]?.memoryBytes).toBe(512 * 2 ** 20);
  });

  it('changes CPUs for one deployment option only, splitting a shared item', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 256n << 20n });
    const sys = targetSystem(env);
    setConfiguration(env, 'small', { label: 'Small', default: true });
    setConfiguration(env, 'large', { label: 'Large' });
    setCpus(sys, 8, 'large', env);
    const info = ovfInfo(reparse(env));
    expect(info.systems[0]?.hardware.find((h) => h.configuration === 'small')?.cpus).toBe(1);
    expect(info.systems[0]?.hardware.find((h) => h.configuration === 'large')?.cpus).toBe(8);
    expect(info.configurations.find((c) => c.default)?.id).toBe('small');
    removeConfiguration(env, 'large');
    const info2 = ovfInfo(reparse(env));
    expect(info2.configurations.map((c) => c.id)).toEqual(['small']);
    expect(info2.systems[0]?.hardware.find((h) => h.configuration === 'small')?.cpus).toBe(1);
    expect(editError(() => setCpus(sys, 2, 'nope', env)).message).toMatch(/No deployment option/);
  });

  it('adds and removes disks, NICs and networks with resolvable references', () => {
    const env = createEnvelope({ name: 'vm', cpus: 1, memoryBytes: 256n << 20n });
    const sys = targetSystem(env);
    const id = addDisk(env, sys, { href: 'a.vmdk', fileSize: 10n, capacityBytes: 2n << 30n });
    addDisk(env, sys, { capacityBytes: 1000n });
    addNic(env, sys, 'lan', 'virtio');
    let info = ovfInfo(reparse(env));
    expect(info.files).toEqual([{ id: 'file1', href: 'a.vmdk', sizeBytes: 10 }]);
    expect(info.disks.map((d) => [d.diskId, d.capacityBytes, d.fileRef])).toEqual([
      [id, 2 ** 31, 'file1'],
      ['vmdisk2', 1000, undefined],
    ]);
    expect(info.networks.map((n) => n.name)).toEqual(['lan']);
    const hw = info.systems[0]?.hardware[0];
    expect(hw?.disks.map((d) => d.hostResource)).toEqual([`ovf:/disk/${id}`, 'ovf:/disk/vmdisk2']);
    expect(hw?.controllers[0]?.subtype).toBe('lsilogic');
    expect(hw?.disks[0]?.controller).toBe(hw?.controllers[0]?.instanceId);
    expect(hw?.nics).toMatchObject([
      { name: 'Ethernet 1', model: 'virtio', subtype: 'virtio', network: 'lan' },
    ]);
    expect(hw?.disks.map((d) => d.address)).toEqual(['SCSI 0:0', 'SCSI 0:1']);
    removeDisk(env, id);
    info = ovfInfo(reparse(env));
    expect(info.files).toEqual([]);
    expect(info.systems[0]?.hardware[0]?.disks.map((d) => d.hostResource)).toEqual(['ovf:/disk/vmdisk2']);
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
    const { definitionFromOvf } = await import('../definition.js');
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

describe('editing one deployment option of COT’s test descriptors (issue 11)', () => {
  const FILES = ['input', 'csr1000v', 'iosv', 'c8000v'].map((n) =>
    join(CORPUS, `glennmatthews__cot__COT__tests__${n}.ovf`),
  );
  /** Each option's hardware as deploy reads it: type and quantity (bytes for memory) per item. */
  const hardware = (env: ReturnType<typeof parseOvf>, c: string) =>
    definitionFromOvf(env, { configuration: c }).definition.resources.map((r) => [
      r.properties.InstanceID,
      r.properties.ResourceType,
      r.properties.ResourceType === '4' ? String(bytesOf(r)) : r.properties.VirtualQuantity,
      r.properties.Connection,
    ]);
  const options = (env: ReturnType<typeof parseOvf>) =>
    findSection(env.sections, 'DeploymentOptionSection')!.configurations.map((c) => c.id);

  for (const file of FILES) {
    const name = file.replace(/^.*__/, '');
    it(`${name}: --cpus and --memory for each option change that option only, adding no duplicate item`, () => {
      const source = parseOvf(readFileSync(file));
      for (const option of options(source)) {
        const env = parseOvf(readFileSync(file));
        const before = validateOvf(env);
        const sys = targetSystem(env);
        const items = () => hardwareOf(sys)!.items.length;
        const count = items();
        setCpus(sys, 7, option, env);
        setMemory(sys, 5n << 30n, option, env);
        expect(items() - count, `${option}: one override per resource at most`).toBeLessThanOrEqual(2);
        expect(() => assertEditValid(before, env), option).not.toThrow();
        const after = reparse(env);
        for (const other of options(source).filter((o) => o !== option))
          expect(hardware(after, other), `${option} -> ${other}`).toEqual(hardware(source, other));
        const mine = hardware(after, option);
        expect(
          mine.filter((r) => r[1] === '3').map((r) => r[2]),
          option,
        ).toEqual(['7']);
        expect(
          mine.filter((r) => r[1] === '4').map((r) => r[2]),
          option,
        ).toEqual([String(5 * 2 ** 30)]);
        // Editing the same option again changes the override in place.
        const again = items();
        setCpus(sys, 6, option, env);
        expect(items(), option).toBe(again);
      }
    });
  }

  it('csr1000v: a CPU override shared by two options is split, and the other option keeps its value', () => {
    const env = parseOvf(readFileSync(FILES[1]!));
    const sys = targetSystem(env);
    setCpus(sys, 8, '4CPU-4GB', env);
    const cpus = hardwareOf(sys)!.items.filter((i) => i.resource.properties.ResourceType === '3');
    expect(cpus.map((i) => [i.configuration, i.resource.properties.VirtualQuantity])).toEqual([
      [undefined, '1'],
      ['2CPU-4GB', '2'],
      ['4CPU-8GB', '4'],
      ['4CPU-4GB', '8'],
    ]);
    expect(new Set(cpus.map((i) => i.resource.properties.InstanceID)).size).toBe(1);
  });

  it('input.ovf: --nic-network for one option connects that option’s NICs only; an unknown option is refused', () => {
    const env = parseOvf(readFileSync(FILES[0]!));
    const sys = targetSystem(env);
    setNicNetwork(env, sys, 'lab', undefined, '1CPU-1GB-1NIC');
    const after = reparse(env);
    const nets = (c: string) => hardware(after, c).flatMap((r) => (r[1] === '10' ? [r[3]] : []));
    expect(nets('1CPU-1GB-1NIC')).toEqual([['lab']]);
    expect(nets('4CPU-4GB-3NIC')).toEqual([['VM Network'], ['VM Network'], ['VM Network']]);
    setNicNetwork(env, sys, 'lab2', 2, '4CPU-4GB-3NIC');
    expect(hardware(reparse(env), '4CPU-4GB-3NIC').flatMap((r) => (r[1] === '10' ? [r[3]] : []))).toEqual([
      ['VM Network'],
      ['lab2'],
      ['VM Network'],
    ]);
    expect(editError(() => setNicNetwork(env, sys, 'x', undefined, 'huge')).message).toBe(
      'No deployment option has the id "huge"',
    );
    expect(editError(() => addNic(env, sys, 'lan', 'e1000', 'huge')).message).toBe(
      'No deployment option has the id "huge"',
    );
    expect(editError(() => setNicNetwork(env, sys, 'x', 4, '4CPU-4GB-3NIC')).message).toMatch(
      /no NIC number 4 in deployment option "4CPU-4GB-3NIC"; it has 3/,
    );
  });

  it('adds no override that overrides nothing: an unchanged NIC or a value equal to the general one', () => {
    const env = parseOvf(readFileSync(FILES[0]!));
    const sys = targetSystem(env);
    const hw = hardwareOf(sys)!;
    const count = hw.items.length;
    // NIC 11 is general and already on "VM Network"; setting NIC 2 of the option must not copy NIC 1 for it.
    setNicNetwork(env, sys, 'VM Network', undefined, '4CPU-4GB-3NIC');
    expect(hw.items.length).toBe(count);
    setNicNetwork(env, sys, 'lab2', 2, '4CPU-4GB-3NIC');
    expect(hw.items.length).toBe(count);
    const general = hw.items.find((i) => i.resource.properties.ResourceType === '3' && !i.configuration)!;
    setCpus(sys, Number(general.resource.properties.VirtualQuantity), '1CPU-1GB-1NIC', env);
    expect(hw.items.length).toBe(count);
    // A real change still gets its one override.
    setNicNetwork(env, sys, 'lab3', 1, '4CPU-4GB-3NIC');
    expect(hw.items.length).toBe(count + 1);
  });
});

describe('edit checks property values and names devices with the model’s vocabulary (issue 11)', () => {
  const INPUT = join(CORPUS, 'glennmatthews__cot__COT__tests__input.ovf');

  it('checks a value against its type and qualifiers; booleans are normalised as COT does', () => {
    const env = parseOvf(readFileSync(INPUT));
    const sys = targetSystem(env);
    for (const [given, written] of [
      ['yes', 'true'],
      ['T', 'true'],
      ['1', 'true'],
      ['No', 'false'],
      ['0', 'false'],
    ] as const)
      expect(setProperty(sys, 'enable-ssh-server', { value: given }).value, given).toBe(written);
    expect(editError(() => setProperty(sys, 'enable-ssh-server', { value: 'maybe' })).message).toBe(
      'Property "enable-ssh-server" is a boolean; "maybe" is neither true nor false',
    );
    const long = 'x'.repeat(65);
    expect(editError(() => setProperty(sys, 'login-username', { value: long })).message).toBe(
      `Property "login-username": "${long}" is 65 characters, more than MaxLen(64)`,
    );
    expect(setProperty(sys, 'login-username', { value: 'admin' }).value).toBe('admin');
    setProperty(sys, 'size', { type: 'uint8', qualifiers: 'ValueMap{"1","2","4"}', value: '2' });
    expect(editError(() => setProperty(sys, 'size', { value: '3' })).message).toMatch(/not one of ValueMap/);
    expect(editError(() => setProperty(sys, 'size', { value: '300', qualifiers: '' })).message).toBe(
      'Property "size" (uint8): 300 is outside uint8 (0..255)',
    );
    expect(editError(() => setProperty(sys, 'size', { type: 'colour' })).message).toMatch(
      /type "colour", which is no OVF property type/,
    );
    expect(editError(() => setProperty(sys, 'size', { qualifiers: 'MaxLen(3' })).message).toMatch(
      /qualifiers "MaxLen\(3" do not read/,
    );
    expect(editError(() => setProperty(sys, 'size', { qualifiers: 'MaxLen(3)' })).message).toBe(
      'Property "size": MaxLen applies to strings, not uint8',
    );
    // A refused change changes nothing.
    expect(findProperty(sys, 'size')).toMatchObject({ type: 'uint8', value: '2' });
    const hint = editError(() => setProperty(sys, 'new-key', { value: 'x' })).hint;
    expect(hint).toBe('e.g. --property-type new-key=string');
  });

  it('adds a NIC named by model or by any producer’s spelling, spelled as the descriptor’s producer writes it', () => {
    const env = parseOvf(readFileSync(INPUT)); // vmx-07: VMware's spellings
    const sys = targetSystem(env);
    expect(addNic(env, sys, 'lan', 'vmxnet3').resource.properties.ResourceSubType).toBe('VmxNet3');
    expect(addNic(env, sys, 'lan', 'VirtualE1000').resource.properties.ResourceSubType).toBe('E1000');
    const err = editError(() => addNic(env, sys, 'lan', 'tulip3000'));
    expect(err.message).toBe('"tulip3000" names no network adapter model');
    expect(err.hint).toContain('vmxnet3');
  });

  it('adds disks at the next free slot of the SCSI HBA, never at SCSI id 7, and refuses a controller that is none', () => {
    const env = parseOvf(readFileSync(INPUT));
    const sys = targetSystem(env);
    for (let i = 0; i < 7; i++) addDisk(env, sys, { capacityBytes: 1n << 30n });
    const items = hardwareOf(sys)!.items;
    const onScsi = items
      .filter((i) => i.resource.properties.Parent === '3')
      .map((i) => Number(i.resource.properties.AddressOnParent));
    expect(onScsi).toEqual([0, 1, 2, 3, 4, 5, 6, 8]);
    expect(editError(() => addDisk(env, sys, { capacityBytes: 1n, controller: '11' })).message).toBe(
      'Item "11" is not a storage controller of this system',
    );
    expect(validateOvf(reparse(env)).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('adds a controller for a disk when none has room, spelled for the descriptor’s producer', () => {
    const env = createEnvelope({
      name: 'vm',
      cpus: 1,
      memoryBytes: 256n << 20n,
      virtualSystemType: 'virtualbox-2.2',
    });
    const sys = targetSystem(env);
    addDisk(env, sys, { capacityBytes: 1n << 30n });
    const info = ovfInfo(reparse(env)).systems[0]!.hardware[0]!;
    expect(info.controllers).toMatchObject([{ kind: 'lsilogic', subtype: 'lsilogic' }]);
    expect(info.disks).toMatchObject([{ address: 'SCSI 0:0' }]);
  });
});

describe('an edit of any corpus descriptor is refused only for what it adds (issue 11)', () => {
  it('sets the annotation of every corpus descriptor with a virtual system, 0.9 drafts and invalid ones included', () => {
    let edited = 0;
    for (const c of corpusCases()) {
      let env: ReturnType<typeof parseOvf>;
      try {
        env = parseOvf(readFileSync(c.path));
      } catch (e) {
        if (e instanceof OvfError) continue; // not readable at all: nothing to edit
        throw e;
      }
      const before = validateOvf(env);
      let sys: ReturnType<typeof targetSystem>;
      try {
        sys = targetSystem(env);
      } catch (e) {
        if (e instanceof OvfError) continue; // a collection without a system: refused with its reason
        throw e;
      }
      setAnnotation(sys, 'edited by the corpus test');
      expect(() => assertEditValid(before, env), c.file).not.toThrow();
      expect(formatOvf(env), c.file).toContain('edited by the corpus test');
      edited++;
    }
    expect(edited).toBeGreaterThan(100);
  });
});
