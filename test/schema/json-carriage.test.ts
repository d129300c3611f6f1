import { describe, expect, it } from 'vitest';
import { decodeParams } from '../../src/api/index.js';
import {
  checkProperties,
  PROPERTIES,
  propertiesOf,
  type SettingClass,
  type VirtualSystemDefinition,
} from '../../src/model/index.js';
import { samples } from '../helpers/schema.js';

// Every JSON carriage claim of the model's property schema, through the Api's JSON wire encoding (the unix
// socket transport carries systems.define this way, and `vm define --from-json` sends its file through it):
// JSON is the definition as it is.

/** A definition as systems.define carries it: encoded, sent as JSON text, decoded and checked by the host. */
const carry = (definition: unknown) =>
  decodeParams('systems.define', JSON.parse(JSON.stringify({ definition })) as unknown).definition;

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
    const back = carry(def);
    expect(back).toEqual(def);
    expect(checkProperties(back.system, 'VSSD', 'json')).toEqual([]);
    for (const [i, cls] of (['RASD', 'SASD', 'EPASD'] as const).entries())
      expect(checkProperties(back.resources[i]!.properties, cls, 'json'), cls).toEqual([]);
  });

  it('has no place for what the schema says JSON does not carry: a PASD resource is refused, its properties reported', () => {
    const pasd = PROPERTIES.filter((p) => p.class === 'PASD');
    expect(pasd.every((p) => p.carriage.json !== 'native')).toBe(true);
    expect(() =>
      carry({
        system: {},
        resources: [{ cimClass: 'CIM_ProcessorAllocationSettingData', properties: samples(pasd) }],
      }),
    ).toThrow(/Invalid parameters of systems.define: \/definition\/resources\/0\/cimClass/);
    expect(checkProperties(samples(pasd), 'PASD', 'json').map((f) => `${f.property}:${f.code}`)).toEqual(
      pasd.map((p) => `${p.name}:NOT_CARRIED`),
    );
  });

  it('keeps a property named __proto__ as data, never as the prototype of what it decodes', () => {
    const back = carry(JSON.parse('{"system":{"__proto__":["x"],"ElementName":"a"},"resources":[]}'));
    expect(Object.getPrototypeOf(back.system)).toBe(Object.prototype);
    expect(Object.keys(back.system)).toEqual(['__proto__', 'ElementName']);
    expect(Object.getOwnPropertyDescriptor(back.system, '__proto__')?.value).toEqual(['x']);
  });
});
