import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors.js';
import { cpuCount, memoryBytes, quantityBytes } from '../resources.js';
import type { RasdClass, RasdProperties, ResourceSetting } from '../settings.js';
import { bytesOf, quantityOf, quantityProperties } from './quantity.js';

const rasd = (properties: RasdProperties, cimClass: RasdClass = 'CIM_ResourceAllocationSettingData') =>
  ({ cimClass, properties }) as ResourceSetting;
const memory = (p: RasdProperties) => rasd({ ResourceType: '4', ...p });
const GiB = 1n << 30n;

describe('quantityOf(): which unit governs which number', () => {
  it('reads VirtualQuantity by VirtualQuantityUnits first: 1 × byte*2^30 is 1 GiB, whatever AllocationUnits says', () => {
    expect(bytesOf(memory({ VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' }))).toBe(GiB);
    const both = memory({
      VirtualQuantity: '1',
      VirtualQuantityUnits: 'byte*2^30',
      AllocationUnits: 'byte*2^20',
    });
    expect(quantityOf(both, 'VirtualQuantity')).toMatchObject({ value: 1n, from: 'VirtualQuantityUnits' });
    expect(bytesOf(both)).toBe(GiB);
  });

  it('falls back to AllocationUnits when its base fits (OVF 1.x), then to the type default (memory in MiB)', () => {
    expect(
      quantityOf(memory({ VirtualQuantity: '2', AllocationUnits: 'GigaBytes' }), 'VirtualQuantity'),
    ).toMatchObject({
      from: 'AllocationUnits',
    });
    expect(bytesOf(memory({ VirtualQuantity: '2', AllocationUnits: 'GigaBytes' }))).toBe(2n * GiB);
    expect(bytesOf(memory({ VirtualQuantity: '512' }))).toBe(512n << 20n);
    expect(quantityOf(memory({ VirtualQuantity: '512' }), 'VirtualQuantity')?.from).toBe('default');
    expect(bytesOf(memory({ VirtualQuantity: '3', AllocationUnits: 'bytes*10^3' }))).toBe(3000n);
    expect(bytesOf(memory({ VirtualQuantity: '4', VirtualQuantityUnits: 'kibibyte' }))).toBe(4096n);
  });

  it('reads a size whose AllocationUnits is not a size (a percent Reservation) in the default, with a finding', () => {
    const q = quantityOf(
      memory({ VirtualQuantity: '256', AllocationUnits: 'percent', Reservation: '50' }),
      'VirtualQuantity',
    );
    expect(q).toMatchObject({ value: 256n, from: 'default', unit: { base: 'byte', numerator: 1n << 20n } });
    expect(q?.finding).toMatch(/AllocationUnits "percent" is not a size/);
    expect(
      quantityOf(
        memory({ VirtualQuantity: '256', AllocationUnits: 'percent', Reservation: '50' }),
        'Reservation',
      ),
    ).toMatchObject({
      value: 50n,
      unit: { base: 'percent' },
      from: 'AllocationUnits',
    });
  });

  it('reads around the VirtualQuantityUnits "count" trap on a size: AllocationUnits governs, with a finding', () => {
    const q = quantityOf(
      memory({ VirtualQuantity: '512', VirtualQuantityUnits: 'count', AllocationUnits: 'byte * 2^20' }),
      'VirtualQuantity',
    );
    expect(q).toMatchObject({ value: 512n, from: 'AllocationUnits' });
    expect(q?.finding).toMatch(/VirtualQuantityUnits "count" \(the CIM default\) cannot measure a size/);
    expect(bytesOf(memory({ VirtualQuantity: '64', VirtualQuantityUnits: 'count' }))).toBe(64n << 20n);
  });

  it("never lets a processor's hertz*10^6 AllocationUnits scale its CPU count", () => {
    const cpu = rasd({ ResourceType: '3', VirtualQuantity: '4', AllocationUnits: 'hertz * 10^6' });
    expect(quantityOf(cpu, 'VirtualQuantity')).toMatchObject({
      value: 4n,
      unit: { base: 'count', numerator: 1n, denominator: 1n },
      from: 'default',
    });
    expect(cpuCount({ system: {}, resources: [cpu] })).toBe(4);
    // Its Reservation and Limit are speeds, in AllocationUnits.
    const limited = rasd({ ...cpu.properties, Limit: '2400' });
    expect(quantityOf(limited, 'Limit')).toMatchObject({
      value: 2400n,
      unit: { base: 'hertz', numerator: 1_000_000n },
      from: 'AllocationUnits',
    });
    // A VirtualQuantityUnits that is not a count is ignored, with a finding.
    const odd = quantityOf(
      rasd({ ...cpu.properties, VirtualQuantityUnits: 'hertz*10^6' }),
      'VirtualQuantity',
    );
    expect(odd).toMatchObject({ value: 4n, unit: { base: 'count' } });
    expect(odd?.finding).toMatch(/is in hertz, but this VirtualQuantity is a count; ignored/);
  });

  it('reads a SASD in blocks: count(fixed size block) × VirtualResourceBlockSize, else bytes', () => {
    const sasd = (p: RasdProperties) =>
      rasd({ ResourceType: '31', ...p }, 'CIM_StorageAllocationSettingData');
    expect(bytesOf(sasd({ VirtualQuantity: '2048', VirtualResourceBlockSize: '512' }))).toBe(1n << 20n);
    expect(
      bytesOf(
        sasd({
          VirtualQuantity: '8',
          VirtualQuantityUnits: 'count(fixed size block)',
          VirtualResourceBlockSize: '4096',
        }),
      ),
    ).toBe(32768n);
    expect(bytesOf(sasd({ VirtualQuantity: '1000', VirtualQuantityUnits: 'byte' }))).toBe(1000n);
    expect(bytesOf(sasd({ VirtualQuantity: '1000' }))).toBe(1000n);
    expect(() =>
      bytesOf(sasd({ VirtualQuantity: '8', VirtualQuantityUnits: 'count(fixed size block)' })),
    ).toThrow(/counted in fixed size blocks, but VirtualResourceBlockSize gives no block size/);
    // Its Reservation and Limit are blocks of HostResourceBlockSize (SASD mof).
    const limited = sasd({ VirtualQuantity: '8', Limit: '16', HostResourceBlockSize: '512' });
    expect(bytesOf(limited, 'Limit')).toBe(8192n);
  });

  it('reads Reservation and Limit by AllocationUnits, else in the unit of VirtualQuantity', () => {
    const m = memory({ VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30', Reservation: '512' });
    expect(bytesOf(m, 'Reservation')).toBe(GiB * 512n);
    const m2 = memory({ ...m.properties, AllocationUnits: 'byte*2^20' });
    expect(bytesOf(m2, 'Reservation')).toBe(512n << 20n);
    expect(quantityOf(m2, 'Limit')).toBeUndefined();
  });

  it('says when a size is not a whole number of bytes, or not a size, instead of rounding', () => {
    expect(() => bytesOf(memory({ VirtualQuantity: '3', AllocationUnits: 'byte * 2^-2' }))).toThrow(
      /not a whole number of bytes/,
    );
    expect(() => bytesOf(rasd({ ResourceType: '3', VirtualQuantity: '2' }))).toThrow(
      /in count, not in bytes/,
    );
    expect(() => bytesOf(memory({ VirtualQuantity: '1', VirtualQuantityUnits: 'furlong' }))).toThrow(
      ModelError,
    );
    expect(() => bytesOf(memory({ VirtualQuantity: 'lots' }))).toThrow(
      /VirtualQuantity "lots" is not a whole number/,
    );
    expect(bytesOf(memory({}))).toBeUndefined();
    expect(() => quantityBytes(memory({}))).toThrow(/no VirtualQuantity/);
  });

  it('memoryBytes() of a definition follows the same rule', () => {
    const def = {
      system: {},
      resources: [memory({ VirtualQuantity: '1', VirtualQuantityUnits: 'byte*2^30' })],
    };
    expect(memoryBytes(def)).toBe(GiB);
  });
});

describe('quantityProperties(): how writers give a size', () => {
  it('uses the largest binary unit that holds the size exactly; OVF 1 writes AllocationUnits only', () => {
    expect(quantityProperties(512n << 20n, 'ovf1')).toEqual({
      VirtualQuantity: '512',
      AllocationUnits: 'byte * 2^20',
    });
    expect(quantityProperties(GiB, 'ovf2')).toEqual({
      VirtualQuantity: '1',
      AllocationUnits: 'byte * 2^30',
      VirtualQuantityUnits: 'byte * 2^30',
    });
    expect(quantityProperties((256n << 20n) + 4096n, 'cim')).toEqual({
      VirtualQuantity: '262148',
      AllocationUnits: 'byte*2^10',
      VirtualQuantityUnits: 'byte*2^10',
    });
    expect(quantityProperties(1000n, 'cim')).toMatchObject({
      VirtualQuantity: '1000',
      AllocationUnits: 'byte',
    });
  });

  it('round-trips through quantityOf() for every encoding', () => {
    for (const style of ['ovf1', 'ovf2', 'cim'] as const) {
      for (const bytes of [1n, 1000n, 4096n, 3n << 20n, 5n << 30n, 7n << 40n]) {
        expect(bytesOf(memory(quantityProperties(bytes, style))), `${style} ${bytes}`).toBe(bytes);
      }
    }
  });
});
