import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../src/api/index.js';
import {
  type CimClass,
  type CimInstance,
  createClassRepository,
  resolveClass,
  VIRT_NAMESPACE,
} from '../../src/cim/index.js';
import { rasdFromInstance, rasdInstance, vssdFromInstance, vssdInstance } from '../../src/cim/mapping.js';
import {
  buildDefinition,
  type CimValue,
  PROPERTIES,
  propertiesOf,
  type RasdClass,
  type SettingClass,
} from '../../src/model/index.js';
import { CimClient } from '../../src/wbem/cimxml/client.js';
import { decodeInstance } from '../../src/wbem/cimxml/decode-values.js';
import { encodeInstance } from '../../src/wbem/cimxml/encode-values.js';
import { startTestHost, type TestHost } from '../../src/wbem/cimxml/test-host.js';
import { parseXml } from '../../src/xml/index.js';
import { samples } from '../helpers/schema.js';

// Every CIM carriage claim of the model's property schema, against the real encoding: the mapping of the one
// model to Vessel_ instances, the CIM-XML encoder and decoder, and the class repository the server serves (an
// instance is written with its class's properties only). Then the same over HTTP with a real client.

const virt = createClassRepository().namespace(VIRT_NAMESPACE);
const lookup = (name: string): CimClass | undefined => virt.get(name);
const UUID = '6f1c0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b';

/** An instance through CIM-XML: encoded with its class, parsed, decoded. */
function overCimXml(inst: CimInstance): CimInstance {
  const xml = encodeInstance(inst, lookup);
  return decodeInstance(parseXml(xml).root);
}

const carried = (cls: SettingClass) => propertiesOf(cls).filter((p) => p.carriage.cim === 'native');
const dropped = (cls: SettingClass) => propertiesOf(cls).filter((p) => p.carriage.cim !== 'native');

describe('CIM carriage: the one model through Vessel_ instances and CIM-XML', () => {
  it('carries every CIM property of the VSSD (Firmware and BootOrder included); the host sets its identities', () => {
    const sent: Record<string, CimValue> = {
      ...samples(carried('VSSD')),
      ElementName: 'carry1',
      VirtualSystemIdentifier: UUID,
    };
    const inst = vssdInstance({
      uuid: UUID,
      name: 'carry1',
      state: 'stopped',
      reason: { code: 'defined', text: 'defined' },
      changedAt: new Date(0).toISOString(),
      definition: { system: { ...sent, Generation: '9' }, resources: [] },
      etag: '0',
      consoles: [],
    });
    expect(inst.properties.InstanceID).toBe('Vessel:carry1');
    const back = vssdFromInstance(overCimXml(inst));
    const { InstanceID: _assignedByTheHost, ...rest } = sent;
    for (const [k, v] of Object.entries(rest)) expect(back[k], `VSSD ${k}`).toEqual(v);
    expect(back.Firmware).toBe('efi');
    for (const p of dropped('VSSD')) expect(back[p.name], `VSSD ${p.name} is not carried`).toBeUndefined();
  });

  for (const [cls, cimClass] of [
    ['RASD', 'CIM_ResourceAllocationSettingData'],
    ['SASD', 'CIM_StorageAllocationSettingData'],
    ['EPASD', 'CIM_EthernetPortAllocationSettingData'],
  ] as Array<[SettingClass, RasdClass]>) {
    it(`carries every CIM property of a ${cls} through its Vessel_ class, and drops exactly what the schema says`, () => {
      const sent = samples(carried(cls));
      const inst = rasdInstance('carry1', { cimClass, properties: { ...sent, ...samples(dropped(cls)) } }, 0);
      expect(inst.properties.InstanceID).toBe(`Vessel:carry1/${sent.InstanceID}`);
      const back = rasdFromInstance(overCimXml(inst));
      expect(back.cimClass).toBe(cimClass);
      for (const [k, v] of Object.entries(sent)) expect(back.properties[k], `${cls} ${k}`).toEqual(v);
      for (const p of dropped(cls)) expect(back.properties[p.name], `${cls} ${p.name}`).toBeUndefined();
    });
  }

  it('serves the Vessel_ classes with the schema types, so that a client can type what it sends', () => {
    for (const p of PROPERTIES.filter((x) => x.carriage.cim === 'native' && x.origin === 'vessel')) {
      const d = virt.require('Vessel_VirtualSystemSettingData').propertyIndex.get(p.name.toLowerCase());
      expect(d, p.name).toMatchObject({ type: p.type, isArray: p.array });
    }
  });
});

describe('CIM-XML over HTTP: Firmware and BootOrder reach a client and come back from DefineSystem', () => {
  let h: TestHost;
  let client: CimClient;

  beforeAll(async () => {
    h = await startTestHost({ hostName: 'h1' });
    client = new CimClient(h.url, { user: 'admin', password: 'secret' });
  });
  afterAll(async () => {
    client.close();
    await h.close();
  });

  it('GetInstance of the VSSD of an EFI system returns Firmware efi and its BootOrder', async () => {
    const def = buildDefinition({ name: 'wire1', cpus: 1, memoryBytes: 64n << 20n, firmware: 'efi' });
    def.system.BootOrder = ['1', '2'];
    resultOf(await h.api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY }));
    const vssd = await client.getInstance({
      className: 'Vessel_VirtualSystemSettingData',
      keys: { InstanceID: 'Vessel:wire1' },
    });
    expect(vssd.properties).toMatchObject({ Firmware: 'efi', BootOrder: ['1', '2'] });
  });

  it('DefineSystem with a Vessel_VirtualSystemSettingData carrying Firmware efi keeps it', async () => {
    const decl = await client.getClass('Vessel_VirtualSystemSettingData');
    const cls = resolveClass({ ...decl, superClass: undefined }, undefined);
    const vsms = (await client.enumerateInstanceNames('CIM_VirtualSystemManagementService'))[0]!;
    const def = buildDefinition({ name: 'wire2', cpus: 1, memoryBytes: 64n << 20n });
    const r = await client.invokeMethod(
      vsms,
      'DefineSystem',
      {
        SystemSettings: {
          type: 'string',
          embedded: true,
          value: {
            className: cls.name,
            properties: { ElementName: 'wire2', Firmware: 'efi', BootOrder: ['1'] },
          },
        },
        ResourceSettings: {
          type: 'string',
          embedded: true,
          value: def.resources.map((x) => ({ className: x.cimClass, properties: { ...x.properties } })),
        },
      },
      (n) => (n.toLowerCase() === cls.name.toLowerCase() ? cls : undefined),
    );
    expect(r.returnValue).toBe(0);
    expect((await h.api.systems.get('wire2')).definition.system).toMatchObject({
      Firmware: 'efi',
      BootOrder: ['1'],
    });
  });
});
