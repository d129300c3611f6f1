import { describe, expect, it } from 'vitest';
import type { ResourceSetting } from '../settings.js';
import { driveSlotFromAddress } from './addresses.js';

const rasd = (properties: ResourceSetting['properties']): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties,
});

describe('driveSlotFromAddress()', () => {
  it('reads a disk’s or CD’s Address as its AddressOnParent', () => {
    expect(driveSlotFromAddress(rasd({ ResourceType: '17', Parent: '3', Address: ' 1 ' }))).toEqual({
      setting: rasd({ ResourceType: '17', Parent: '3', AddressOnParent: '1' }),
    });
    expect(driveSlotFromAddress(rasd({ ResourceType: '15', Address: '0', AddressOnParent: '0' }))).toEqual({
      setting: rasd({ ResourceType: '15', AddressOnParent: '0' }),
    });
  });

  it('leaves other devices’ Address alone (a NIC’s MAC, a controller’s channel)', () => {
    for (const r of [
      rasd({ ResourceType: '10', Address: '52:54:00:12:34:56' }),
      rasd({ ResourceType: '5', Address: '1' }),
      rasd({ ResourceType: '17', AddressOnParent: '2' }),
    ])
      expect(driveSlotFromAddress(r)).toEqual({ setting: r });
  });

  it('names the problem when Address is no unit number or disagrees with AddressOnParent', () => {
    const bad = (r: ResourceSetting) => {
      const out = driveSlotFromAddress(r);
      return 'problem' in out ? out.problem : 'accepted';
    };
    expect(bad(rasd({ ResourceType: '17', Address: '0:1' }))).toMatch(/Address "0:1" is not a unit number/);
    expect(bad(rasd({ ResourceType: '17', Address: '-1' }))).toMatch(/not a unit number/);
    expect(bad(rasd({ ResourceType: '17', Address: '9'.repeat(5000) }))).toMatch(/"9{40}…" is not/);
    expect(bad(rasd({ ResourceType: '17', Address: '1', AddressOnParent: '0' }))).toMatch(/disagree/);
  });
});
