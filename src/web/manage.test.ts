import { describe, expect, it } from 'vitest';
import { buildFromForm, type CreateForm } from './app/definition.js';
import { fieldOfProblem, fieldsOfErrors } from './app/fields.js';
import { hardwareOf } from './app/hardware.js';
import type { MetricsSample } from './app/host-types.js';
import { chartLines, usageOf } from './app/series.js';
import { filterAndSort } from './app/sort.js';
import type { SystemView } from './app/types.js';

// The management pages' pure parts, in Node: rates from metrics counters (restarts and stops break the line), the
// create form's definition and which field a refusal lands on, the devices a definition lists, sorting by use.

const sample = (
  t: number,
  cpuSeconds: number | undefined,
  o: Partial<MetricsSample> = {},
): MetricsSample => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, t)).toISOString(),
  state: 'running',
  vcpus: 2,
  memoryBytes: 256 * 2 ** 20,
  ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
  disks: [{ device: '4', readBytes: t * 100, writeBytes: t * 50 }],
  nics: [{ nic: '5', receiveBytes: t * 10, transmitBytes: 0 }],
  ...o,
});

const FORM: CreateForm = {
  name: 'web1',
  cpus: '2',
  memoryMiB: '512',
  firmware: 'efi',
  diskBus: 'ide',
  disks: ['/pool/a.qcow2', '/pool/b.qcow2'],
  cdroms: ['/pool/boot.iso'],
  nics: [{ network: 'user', model: 'virtio', mac: '52:54:00:12:34:56' }],
};

describe('metrics as people read them', () => {
  it('turns counters into rates: CPU as a share of the vCPUs, disk and network in bytes per second', () => {
    const l = chartLines([sample(0, 10), sample(10, 20), sample(20, 25)]);
    expect(l.cpu.y).toEqual([50, 25]); // 10 s of CPU in 10 s on 2 vCPUs, then 5 s
    expect(l.disk.y).toEqual([150, 150]);
    expect(l.network.y).toEqual([10, 10]);
    expect(l.memory.y).toEqual([256 * 2 ** 20, 256 * 2 ** 20, 256 * 2 ** 20]);
    expect(l.cpu.t).toEqual([Date.UTC(2026, 0, 1, 0, 0, 10), Date.UTC(2026, 0, 1, 0, 0, 20)]);
  });

  it('breaks the line across a restart (a counter that falls), a stopped sample and a missing counter', () => {
    const l = chartLines([
      sample(0, 100),
      sample(10, 2),
      sample(20, 4, { state: 'stopped' }),
      sample(30, undefined),
    ]);
    expect(l.cpu.y.every(Number.isNaN)).toBe(true);
    expect(chartLines([sample(0, 1), sample(0, 2)]).cpu.y[0]).toBeNaN(); // no time between two samples
  });

  it('reads the use now from the last two samples; nothing for a stopped system', () => {
    expect(usageOf([sample(0, 0), sample(10, 30)])).toEqual({
      cpu: 1, // capped: 3 s per s on 2 vCPUs is more than they have
      memoryUsed: 256 * 2 ** 20,
      memoryTotal: 256 * 2 ** 20,
    });
    expect(usageOf([sample(0, 0, { residentBytes: 2 ** 20 })])).toEqual({
      cpu: undefined,
      memoryUsed: 2 ** 20,
      memoryTotal: 256 * 2 ** 20,
    });
    expect(usageOf([sample(0, 0), sample(10, 5, { state: 'stopped' })])).toBeUndefined();
    expect(usageOf([])).toBeUndefined();
  });
});

describe('the create form', () => {
  it('builds the RASDs as the host lays them out, each drive on an IDE controller slot', () => {
    const { def, fieldOf } = buildFromForm(FORM);
    const rows = def.resources.map((r) => r.properties);
    expect(def.system).toEqual({ ElementName: 'web1', VirtualSystemType: 'vessel-qemu', Firmware: 'efi' });
    expect(rows.map((p) => p.ResourceType)).toEqual(['3', '4', '5', '5', '17', '17', '15', '10', '21']);
    expect(rows[0]?.VirtualQuantity).toBe('2');
    expect(rows[1]).toMatchObject({ VirtualQuantity: '512', AllocationUnits: 'byte * 2^20' });
    expect(rows.slice(4, 7).map((p) => [p.Parent, p.AddressOnParent, p.HostResource])).toEqual([
      ['3', '0', ['/pool/a.qcow2']],
      ['3', '1', ['/pool/b.qcow2']],
      ['4', '0', ['/pool/boot.iso']],
    ]);
    expect(rows[7]).toMatchObject({
      Connection: ['user'],
      ResourceSubType: 'virtio',
      Address: '52:54:00:12:34:56',
    });
    expect([...fieldOf]).toEqual([
      ['1', 'cpus'],
      ['2', 'memory'],
      ['5', 'disk-0'],
      ['6', 'disk-1'],
      ['7', 'cdrom-0'],
      ['8', 'nic-0'],
    ]);
  });

  it('puts disks on virtio-scsi when asked, leaves an empty CD/DVD drive without media, and a fifth IDE drive unplaced', () => {
    const scsi = buildFromForm({ ...FORM, diskBus: 'virtio-scsi', cdroms: [''] }).def.resources.map(
      (r) => r.properties,
    );
    const ctl = scsi.find((p) => p.ResourceSubType === 'virtio-scsi')?.InstanceID;
    expect(scsi.filter((p) => p.ResourceType === '17').map((p) => [p.Parent, p.AddressOnParent])).toEqual([
      [ctl, '0'],
      [ctl, '1'],
    ]);
    expect(scsi.find((p) => p.ResourceType === '15')?.HostResource).toBeUndefined();
    const five = buildFromForm({ ...FORM, disks: ['/a', '/b', '/c', '/d'], cdroms: ['/e'] }).def.resources;
    expect(five.find((r) => r.properties.HostResource?.[0] === '/e')?.properties.Parent).toBeUndefined();
  });

  it("puts each member a problem's `errors` points at on its form field, whatever the message says", () => {
    const { def, fieldOf } = buildFromForm({
      name: 'w',
      cpus: '1',
      memoryMiB: '0',
      firmware: 'bios',
      diskBus: 'ide',
      disks: ['/p/a.qcow2'],
      cdroms: [],
      nics: [{ network: 'user', model: 'virtio', mac: '' }],
    });
    const at = (type: string) => def.resources.findIndex((r) => r.properties.ResourceType === type);
    const got = fieldsOfErrors(
      [
        { pointer: '/system/ElementName', detail: 'A' },
        { pointer: `/resources/${at('4')}`, detail: 'B' },
        { pointer: `/resources/${at('4')}/properties/VirtualQuantity`, detail: 'C' },
        { pointer: `/resources/${at('17')}`, detail: 'D' },
        { pointer: `/resources/${at('10')}/properties/Address`, detail: 'E' },
        // Members of no field: a controller, an index past the list, a property of no field, no pointer.
        { pointer: `/resources/${at('5')}`, detail: 'X' },
        { pointer: '/resources/999', detail: 'X' },
        { pointer: '/system/Caption', detail: 'X' },
        { pointer: '', detail: 'X' },
        { pointer: '/resources/1x', detail: 'X' },
      ],
      def,
      fieldOf,
    );
    expect([...got]).toEqual([
      ['name', 'A'],
      ['memory', 'B; C'],
      ['disk-0', 'D'],
      ['nic-0', 'E'],
    ]);
  });

  it('builds a new disk as DSP1047 asks for one, and puts its refusals on its size or pool field', () => {
    const { def, fieldOf } = buildFromForm({
      ...FORM,
      disks: [
        '/p/a.qcow2',
        { size: ' 24 ', unit: 'MiB', pool: 'fast' },
        { size: '2', unit: 'GiB', pool: '' },
      ],
      cdroms: [],
    });
    const disks = def.resources.filter((r) => r.properties.ResourceType === '17');
    expect(disks.map((r) => r.properties)).toEqual([
      expect.objectContaining({ HostResource: ['/p/a.qcow2'] }),
      expect.objectContaining({ VirtualQuantity: '24', VirtualQuantityUnits: 'byte*2^20', PoolID: 'fast' }),
      expect.not.objectContaining({ PoolID: expect.anything(), HostResource: expect.anything() }),
    ]);
    const at = def.resources.indexOf(disks[1]!);
    const id = String(disks[1]!.properties.InstanceID);
    expect([
      ...fieldsOfErrors(
        [
          { pointer: `/resources/${at}/properties/PoolID`, detail: 'P' },
          { pointer: `/resources/${at}/properties/VirtualQuantity`, detail: 'S' },
          { pointer: `/resources/${at}`, detail: 'T' },
        ],
        def,
        fieldOf,
      ),
    ]).toEqual([
      ['disk-1-pool', 'P'],
      ['disk-1-size', 'S; T'],
    ]);
    const on = (m: string) => fieldOfProblem('DEFINITION_INVALID', m, fieldOf);
    expect(on(`Cannot define "w": New disk "${id}": no storage pool "fast"`)).toBe('disk-1-pool');
    expect(on(`Invalid definition "w": Disk "${id}": a capacity of 0 bytes cannot be created`)).toBe(
      'disk-1-size',
    );
  });

  it("lands the host's refusals on the field they are about", () => {
    const { fieldOf } = buildFromForm(FORM);
    const on = (code: string, m: string) => fieldOfProblem(code, m, fieldOf);
    expect(
      on(
        'DEFINITION_INVALID',
        'Invalid definition "a b/": The name "a b/" is not usable: at most 128 characters',
      ),
    ).toBe('name');
    expect(on('VM_EXISTS', 'Cannot define "web1": a system of that name exists')).toBe('name');
    expect(
      on(
        'DEFINITION_INVALID',
        'Invalid definition "web1": 100000 virtual CPUs asked; this host gives at most 255',
      ),
    ).toBe('cpus');
    expect(
      on('DEFINITION_INVALID', 'Invalid definition "web1": Memory must be at least 1 MiB, got 0 bytes'),
    ).toBe('memory');
    expect(on('DEFINITION_INVALID', 'Invalid definition "web1": Firmware "x" is neither bios nor efi')).toBe(
      'firmware',
    );
    expect(
      on(
        'DEFINITION_INVALID',
        'Invalid definition "web1": Drive "6": HostResource "b" is not an absolute path',
      ),
    ).toBe('disk-1');
    expect(
      on(
        'IMAGE_OUTSIDE_POOLS',
        'Cannot define "web1": the image of drive "7" (/etc/passwd) is in no storage pool',
      ),
    ).toBe('cdrom-0');
    // A name that looks like a field's text does not mislead: only the part after the name is read.
    expect(on('DEFINITION_INVALID', 'Invalid definition "Memory \\"x\\" CPU": Drive "5": missing')).toBe(
      'disk-0',
    );
    // An InstanceID the form did not make, or text about nothing the form has, is the form's.
    expect(on('DEFINITION_INVALID', 'Invalid definition "web1": Drive "99": bad')).toBe('form');
    expect(on('INVALID_ARGUMENT', 'body/resources/4/properties/HostResource: Expected string')).toBe(
      'disk-0',
    );
    expect(
      on('INVALID_ARGUMENT', 'body/system/ElementName: Expected string length less or equal to 256'),
    ).toBe('name');
    expect(on('INVALID_ARGUMENT', 'body/resources/99/x: bad')).toBe('form');
    expect(on('INTERNAL', 'The host failed to answer this request (see its log)')).toBe('form');
  });
});

describe('a definition as the system page lists it', () => {
  const view = (resources: Array<Record<string, string | string[]>>, system = {}): SystemView => ({
    uuid: 'u',
    name: 'vm',
    state: 'stopped',
    reason: { code: 'defined', text: 'defined' },
    changedAt: '2026-01-01T00:00:00.000Z',
    definition: { system, resources: resources.map((properties) => ({ properties })) },
  });

  it('lists drives on their controllers, NICs with network and MAC, firmware and boot order', () => {
    const { def } = buildFromForm(FORM);
    const hw = hardwareOf(
      view(
        def.resources.map((r) => r.properties as Record<string, string | string[]>),
        { Firmware: 'efi', BootOrder: ['7', '5'] },
      ),
    );
    expect(hw.drives.map((d) => [d.kind, d.image, d.place])).toEqual([
      ['disk', '/pool/a.qcow2', 'IDE Controller 0 (PIIX4), bus 0, slot 0'],
      ['disk', '/pool/b.qcow2', 'IDE Controller 0 (PIIX4), bus 0, slot 1'],
      ['cdrom', '/pool/boot.iso', 'IDE Controller 1 (PIIX4), bus 1, slot 0'],
    ]);
    expect(hw.nics).toEqual([
      { id: '8', name: 'Network adapter 1', model: 'virtio', network: 'user', mac: '52:54:00:12:34:56' },
    ]);
    expect(hw.firmware).toBe('efi');
    expect(hw.bootOrder).toEqual(['CD/DVD drive 1', 'Hard disk 1']);
    expect(hw.bootDefault).toBe(false);
  });

  it('states capacity in exact units, names a missing parent, and falls back to the default firmware and order', () => {
    const hw = hardwareOf(
      view([
        {
          InstanceID: '1',
          ResourceType: '17',
          ElementName: 'd',
          VirtualQuantity: '2',
          AllocationUnits: 'byte * 2^30',
          Parent: '9',
        },
      ]),
    );
    expect(hw.drives[0]?.capacityBytes).toBe(2 ** 31);
    expect(hw.drives[0]?.place).toBe('controller #9');
    expect(hw.firmware).toBe('bios (default)');
    expect(hw.bootOrder).toEqual(['d']);
    expect(hw.bootDefault).toBe(true);
  });
});

describe('sorting by use', () => {
  it('orders by CPU or memory share, systems without a figure last', () => {
    const s = (name: string): SystemView => ({
      uuid: name,
      name,
      state: 'running',
      reason: { code: 'x', text: 'x' },
      changedAt: '',
    });
    const usage = new Map([
      ['b', { cpu: 0.9, memoryUsed: 10, memoryTotal: 100 }],
      ['c', { cpu: 0.1, memoryUsed: 90, memoryTotal: 100 }],
    ]);
    const names = (k: 'cpuUse' | 'memoryUse') =>
      filterAndSort([s('a'), s('b'), s('c')], '', k, usage).map((x) => x.name);
    expect(names('cpuUse')).toEqual(['b', 'c', 'a']);
    expect(names('memoryUse')).toEqual(['c', 'b', 'a']);
  });
});
