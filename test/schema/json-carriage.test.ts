import { describe, expect, it } from 'vitest';
import { definitionFromWire, toWire } from '../../src/host/index.js';
import {
  checkProperties,
  PROPERTIES,
  propertiesOf,
  type SettingClass,
  type VirtualSystemDefinition,
} from '../../src/model/index.js';
import { samples } from '../helpers/schema.js';

// Every JSON carriage claim of the model's property schema, through the host's JSON wire encoding (the unix
// socket protocol and `vm define --from-json` read definitions this way): JSON is the definition as it is.

const carried = (cls: SettingClass) => propertiesOf(cls).filter((p) => p.carriage.json === 'native');

describe('JSON carriage', () => {
  it('carries every JSON property of the VSSD and of each RASD class, exactly, with nothing to report', () => {
    const def: VirtualSystemDefinition = {
      system: samples(carried('VSSD')),
      resources: [
        { cimClass: 'CIM_ResourceAllocationSettingData', properties: samples(carried('RASD')) },
        { cimClass: 'CIM_StorageAllocationSettingData', properties: samples(carried('SASD')) },
        { cimClass: 'CIM_EthernetPortAllocationSettingData', properties: samples(carried('EPASD')) },
      ],
    };
    expect(def.system.Firmware).toBe('efi');
    expect(def.system.BootOrder).toHaveLength(2);
    const back = definitionFromWire(JSON.parse(toWire(def)));
    expect(back).toEqual(def);
    expect(checkProperties(back.system, 'VSSD', 'json')).toEqual([]);
    for (const [i, cls] of (['RASD', 'SASD', 'EPASD'] as const).entries())
      expect(checkProperties(back.resources[i]!.properties, cls, 'json'), cls).toEqual([]);
  });

  it('has no place for what the schema says JSON does not carry: a PASD resource is refused, its properties reported', () => {
    const pasd = PROPERTIES.filter((p) => p.class === 'PASD');
    expect(pasd.every((p) => p.carriage.json !== 'native')).toBe(true);
    expect(() =>
      definitionFromWire({
        system: {},
        resources: [{ cimClass: 'CIM_ProcessorAllocationSettingData', properties: samples(pasd) }],
      }),
    ).toThrow(/resources\[0\]\.cimClass is not a RASD class/);
    expect(checkProperties(samples(pasd), 'PASD', 'json').map((f) => `${f.property}:${f.code}`)).toEqual(
      pasd.map((p) => `${p.name}:NOT_CARRIED`),
    );
  });
});
