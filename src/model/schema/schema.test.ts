import { describe, expect, expectTypeOf, it } from 'vitest';
import { samples } from '../../../test/helpers/schema.js';
import type { RasdProperties, VssdProperties } from '../settings.js';
import {
  ARRAY_PROPERTIES,
  CIM_PROPERTY_NAMES,
  checkProperties,
  ovfItemProperties,
  type PropertiesOf,
  propertiesOf,
  propertySpec,
  vesselMof,
} from './derive.js';
import { PROPERTIES } from './properties.js';
import type { Encoding, SettingClass } from './types.js';

// The schema itself: consistent, and what derives from it. Each carriage claim is checked against the real
// encodings in test/schema/carriage.test.ts (OVF XSDs and parse/format, CIM-XML over the class repository, JSON).

const ENCODINGS: Encoding[] = ['ovf1', 'ovf2', 'cim', 'json'];
const CLASSES: SettingClass[] = ['SettingData', 'VSSD', 'RASD', 'SASD', 'EPASD', 'PASD'];

describe('the property schema', () => {
  it('names each property once per class lineage and states its carriage in every encoding', () => {
    for (const cls of CLASSES) {
      const names = propertiesOf(cls).map((p) => p.name);
      expect(new Set(names).size, cls).toBe(names.length);
    }
    for (const p of PROPERTIES) {
      for (const e of ENCODINGS) {
        const c = p.carriage[e];
        if (c === 'native') continue;
        if ('none' in c) expect(c.none.length, `${p.name} ${e}`).toBeGreaterThan(20);
        else if ('extension' in c) expect(c.extension, `${p.name} ${e}`).toMatch(/^\w+:/);
        else expect(propertySpec(p.class, c.foldedInto)?.carriage[e], `${p.name} ${e}`).toBe('native');
      }
      expect(p.spec.length, p.name).toBeGreaterThan(5);
    }
  });

  it("has Vessel's Firmware and BootOrder on the VSSD, carried by CIM and JSON, and says how OVF carries them", () => {
    expect(propertySpec('VSSD', 'Firmware')).toMatchObject({
      type: 'string',
      array: false,
      origin: 'vessel',
      valueMap: ['bios', 'efi'],
      carriage: { cim: 'native', json: 'native', ovf1: { extension: expect.stringContaining('vmw:Config') } },
    });
    expect(propertySpec('VSSD', 'BootOrder')).toMatchObject({
      type: 'string',
      array: true,
      carriage: {
        cim: 'native',
        json: 'native',
        ovf1: { extension: expect.stringContaining('vessel:BootOrder') },
        ovf2: { extension: expect.stringContaining('BootDeviceSection') },
      },
    });
    for (const p of PROPERTIES.filter((x) => x.origin === 'vessel'))
      expect(p.carriage.cim, p.name).toBe('native');
  });

  it("has Vessel's Metadata and MetadataTag on the VSSD, carried by CIM alone (metadata sits beside a definition)", () => {
    for (const [name, array] of [
      ['Metadata', true],
      ['MetadataTag', false],
    ] as const) {
      const p = propertySpec('VSSD', name);
      expect(p, name).toMatchObject({ type: 'string', array, origin: 'vessel', carriage: { cim: 'native' } });
      for (const e of ['ovf1', 'ovf2', 'json'] as const)
        expect(p?.carriage[e], `${name} ${e}`).toEqual({ none: expect.stringContaining('metadata') });
    }
    expect(checkProperties({ Metadata: ['a=1'] }, 'VSSD', 'json')).toMatchObject([
      { property: 'Metadata', code: 'NOT_CARRIED' },
    ]);
  });

  it('derives ARRAY_PROPERTIES: the DMTF arrays, BootOrder and Metadata', () => {
    expect([...ARRAY_PROPERTIES].sort()).toEqual(
      [
        'AllowedPriorities',
        'AllowedToReceiveMACAddresses',
        'AllowedToReceiveVLANs',
        'AllowedToTransmitMACAddresses',
        'AllowedToTransmitVLANs',
        'BootOrder',
        'Connection',
        'HostResource',
        'InstructionSetExtensionName',
        'Metadata',
        'Notes',
      ].sort(),
    );
  });

  it('derives the OVF 1.x Item list (the DSP8023 1.1 RASD XSD) and the OVF 2.x lists, VirtualQuantityUnits included', () => {
    expect([...ovfItemProperties('1', 'RASD')]).toEqual([
      'Address',
      'AddressOnParent',
      'AllocationUnits',
      'AutomaticAllocation',
      'AutomaticDeallocation',
      'Caption',
      'ChangeableType',
      'ConfigurationName',
      'Connection',
      'ConsumerVisibility',
      'Description',
      'ElementName',
      'Generation',
      'HostResource',
      'InstanceID',
      'Limit',
      'MappingBehavior',
      'OtherResourceType',
      'Parent',
      'PoolID',
      'Reservation',
      'ResourceSubType',
      'ResourceType',
      'VirtualQuantity',
      'Weight',
    ]);
    expect(ovfItemProperties('2', 'RASD').has('VirtualQuantityUnits')).toBe(true);
    expect(ovfItemProperties('2', 'RASD').has('Generation')).toBe(false);
    expect(ovfItemProperties('2', 'SASD').has('VirtualResourceBlockSize')).toBe(true);
    expect(ovfItemProperties('1', 'SASD').has('VirtualResourceBlockSize')).toBe(false);
    expect(ovfItemProperties('2', 'EPASD').has('AllowedToReceiveVLANs')).toBe(true);
    expect(ovfItemProperties('1', 'VSSD').has('Firmware')).toBe(false);
    expect(ovfItemProperties('1', 'VSSD').has('VirtualSystemType')).toBe(true);
  });

  it('derives the CIM property names the OVF validator knows: DMTF ones only', () => {
    expect(CIM_PROPERTY_NAMES.has('VirtualQuantityUnits')).toBe(true);
    expect(CIM_PROPERTY_NAMES.has('InstructionSet')).toBe(true);
    expect(CIM_PROPERTY_NAMES.has('VSITypeIDVersion')).toBe(true);
    expect(CIM_PROPERTY_NAMES.has('Firmware')).toBe(false);
    expect(CIM_PROPERTY_NAMES.size).toBe(PROPERTIES.filter((p) => p.origin === 'dmtf').length);
  });

  it('writes the Vessel_ class bodies: typed MOF with the ValueMap and a description', () => {
    expect(vesselMof('VSSD')).toBe(
      '[ValueMap {"bios", "efi"}, Description("The firmware the virtual system boots with: bios or efi (UEFI).")] string Firmware;\n' +
        '  [Description("The InstanceIDs of the drives and network adapters to boot from, first first.")] string BootOrder[];\n' +
        '  [ValueMap {"overlay", "direct"}, Description("How the system writes its disks: overlay (a qcow2 overlay of its own over each image, which stays unchanged) or direct (the images themselves, in a storage pool).")] string DiskMode;\n' +
        `  [Description(${JSON.stringify(propertySpec('VSSD', 'Metadata')?.description)})] string Metadata[];\n` +
        `  [Description(${JSON.stringify(propertySpec('VSSD', 'MetadataTag')?.description)})] string MetadataTag;`,
    );
    expect(vesselMof('RASD')).toBe('');
  });

  it('types the property bags from the table', () => {
    expectTypeOf<PropertiesOf<'VSSD'>['BootOrder']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<PropertiesOf<'VSSD'>['Firmware']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<PropertiesOf<'SASD'>['HostResource']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<VssdProperties['Notes']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<RasdProperties['AllowedToReceiveVLANs']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<RasdProperties['ResourceType']>().toEqualTypeOf<string | undefined>();
  });
});

describe('checkProperties()', () => {
  it('accepts a typed sample of every property of each class', () => {
    for (const cls of CLASSES) expect(checkProperties(samples(propertiesOf(cls)), cls), cls).toEqual([]);
  });

  it('reports unknown names, array-ness, values outside a ValueMap, and what an encoding cannot carry', () => {
    expect(checkProperties({ Firmware: 'uefi', BootOrder: 'disk1', Colour: 'red' }, 'VSSD')).toEqual([
      { property: 'Firmware', code: 'VALUE', message: 'Firmware "uefi" is not one of bios, efi' },
      { property: 'BootOrder', code: 'ARRAY', message: 'BootOrder is a list of values, got one' },
      { property: 'Colour', code: 'UNKNOWN', message: 'Colour is not a property of VSSD settings' },
    ]);
    expect(checkProperties({ ResourceType: ['4'] }, 'RASD').map((f) => f.code)).toEqual(['ARRAY']);
    // Both travel as extensions in OVF (vmw:Config firmware; vessel:BootOrder or BootDeviceSection).
    expect(checkProperties({ BootOrder: ['d1'], Firmware: 'efi' }, 'VSSD', 'ovf1')).toEqual([]);
    expect(checkProperties({ BootOrder: ['d1'], Firmware: 'efi' }, 'VSSD', 'ovf2')).toEqual([]);
    expect(checkProperties({ VirtualQuantityUnits: 'byte*2^30' }, 'RASD', 'ovf1')[0]?.message).toBe(
      'VirtualQuantityUnits cannot be carried in ovf1: it is folded into AllocationUnits',
    );
    expect(checkProperties({ Access: '3' }, 'SASD', 'ovf1')[0]?.code).toBe('NOT_CARRIED');
    expect(checkProperties({ Access: '3' }, 'SASD', 'ovf2')).toEqual([]);
    expect(checkProperties({ Generation: '1' }, 'RASD', 'cim')[0]?.message).toMatch(/not in CIM 2.41/);
    expect(checkProperties({ InstructionSet: 'x86' }, 'PASD', 'json')[0]?.code).toBe('NOT_CARRIED');
  });
});
