import { describe, expect, it } from 'vitest';
import { buildDefinition } from '../build.js';
import { DefinitionBuilder } from '../devices/build.js';
import { definitionFromJson } from './decode.js';
import { definitionToJson } from './encode.js';

const web1 = () =>
  buildDefinition({
    name: 'web1',
    uuid: '6a1e4c2e-0000-4000-8000-000000000001',
    cpus: 2,
    memoryBytes: 1n << 30n,
    disks: ['/images/a.qcow2', '/images/b.raw'],
    cdroms: ['/iso/x.iso'],
    diskBus: 'scsi',
    nics: [{ network: 'user', model: 'e1000', mac: '52:54:00:12:34:56' }],
    graphics: 'vnc',
    firmware: 'efi',
  });

/** JSON as it crosses a file: what `vm info --json` writes and `vm define --from-json` reads. */
const wire = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('definitionToJson() and definitionFromJson()', () => {
  it('name devices with the vocabulary, sizes in bytes, no UUID', () => {
    const j = definitionToJson(web1());
    expect(j).toMatchObject({ name: 'web1', cpus: 2, memoryBytes: 2 ** 30, firmware: 'efi' });
    expect(JSON.stringify(j)).not.toContain('6a1e4c2e');
    expect(
      j.devices.map((d) => [d.device, 'kind' in d ? d.kind : 'model' in d ? d.model : undefined]),
    ).toEqual([
      ['controller', 'ide'],
      ['controller', 'lsilogic'],
      ['drive', 'disk'],
      ['drive', 'disk'],
      ['drive', 'cdrom'],
      ['nic', 'e1000'],
      ['serial', undefined],
      ['graphics', 'vga'],
    ]);
    expect(j.devices[2]).toMatchObject({ controller: '4', slot: 0, image: '/images/a.qcow2' });
    expect(j.devices[7]).toMatchObject({ vnc: true });
  });

  it('read back, give the same hardware (and a vm info answer reads as its definition)', () => {
    const j = definitionToJson(web1());
    const back = definitionFromJson(wire(j));
    expect(definitionToJson(back)).toEqual(j);
    expect(definitionToJson(definitionFromJson(wire({ uuid: 'x', definition: j, events: [] })))).toEqual(j);
  });

  it('keep what no field names, and devices the vocabulary does not name', () => {
    const b = new DefinitionBuilder({ ElementName: 'odd', AutomaticStartupAction: '3' });
    b.cpus(1);
    const c = b.controller('virtio-scsi');
    b.drive('disk', { controller: c, slot: 1 }, '/d.qcow2');
    b.add({ ResourceType: '22', ElementName: 'Parallel port' });
    b.add({
      ResourceType: '10',
      ResourceSubType: 'e1000',
      AutomaticAllocation: 'false',
      Connection: ['a', 'b'],
    });
    const j = definitionToJson(b.build());
    expect(j.properties).toEqual({ AutomaticStartupAction: '3' });
    expect(j.devices[2]).toMatchObject({ device: 'other', properties: { ResourceType: '22' } });
    expect(j.devices[3]).toMatchObject({ model: 'e1000', properties: { AutomaticAllocation: 'false' } });
    expect(definitionToJson(definitionFromJson(wire(j)))).toEqual(j);
  });

  it('still take the model itself ({system, resources})', () => {
    const def = web1();
    expect(definitionFromJson(wire(def))).toEqual(wire(def));
  });

  const base = { name: 'x', cpus: 1, memoryBytes: 1048576 };
  it.each([
    ['not an object', [], '/: expected an object'],
    ['no devices', { name: 'x' }, '/devices: required: a list of devices'],
    ['unknown field', { ...base, devices: [], colour: 'red' }, '/colour: unknown field'],
    [
      'wrong type',
      { ...base, cpus: '2', devices: [] },
      '/cpus: expected a whole number from 1 to 65535, got "2"',
    ],
    [
      'fractional memory',
      { ...base, memoryBytes: 1.5, devices: [] },
      '/memoryBytes: expected a whole number',
    ],
    [
      'unknown device',
      { ...base, devices: [{ device: 'toaster', id: '1' }] },
      '/devices/0/device: unknown value',
    ],
    [
      'unknown controller kind',
      { ...base, devices: [{ device: 'controller', id: '1', kind: 'floppy-raid' }] },
      '/devices/0/kind: unknown value "floppy-raid"; use ide, ahci',
    ],
    ['unknown nic model', { ...base, devices: [{ device: 'nic', id: '1', model: 'x' }] }, '/devices/0/model'],
    [
      'dangling controller',
      { ...base, devices: [{ device: 'drive', id: '1', kind: 'disk', controller: '9' }] },
      '/devices/0/controller: "9" is not the id of a controller',
    ],
    [
      'duplicate id',
      {
        ...base,
        devices: [
          { device: 'serial', id: '1' },
          { device: 'serial', id: '1' },
        ],
      },
      '/devices/1/id: "1" is the id of an earlier device',
    ],
    [
      'bad boot order',
      { ...base, bootOrder: ['7'], devices: [] },
      '/bootOrder/0: expected the id of a device',
    ],
    [
      'a field in properties',
      { ...base, devices: [{ device: 'serial', id: '1', properties: { ResourceType: '17' } }] },
      '/devices/0/properties/ResourceType: a named field says this',
    ],
    [
      'a number in properties',
      { ...base, devices: [], properties: { Caption: 5 } },
      '/properties/Caption: expected a string or a list of strings',
    ],
  ])('refuse %s, naming the JSON path', (_, value, message) => {
    expect(() => definitionFromJson(wire(value))).toThrow(message);
  });

  it('refuse __proto__ keys anywhere, in either form, and absurd nesting', () => {
    const hostile =
      '{"name":"x","devices":[{"device":"serial","id":"1","properties":{"__proto__":{"polluted":"1"}}}]}';
    expect(() => definitionFromJson(JSON.parse(hostile))).toThrow(
      '/devices/0/properties/__proto__: this key',
    );
    const old = '{"system":{"__proto__":{"a":"b"}},"resources":[]}';
    expect(() => definitionFromJson(JSON.parse(old))).toThrow('/system/__proto__: this key is not allowed');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const deep = JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) as unknown;
    expect(() => definitionFromJson({ definition: deep })).toThrow('nested more than 32 levels deep');
  });
});
