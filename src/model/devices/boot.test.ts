import { describe, expect, it } from 'vitest';
import type { RasdProperties, VirtualSystemDefinition, VssdProperties } from '../settings.js';
import { bootOrderIds, bootOrderOf, defaultBootOrder, firmwareOf } from './boot.js';
import { readDevices } from './view.js';

describe('firmwareOf()', () => {
  it.each([
    [{}, undefined],
    [{ Firmware: '' }, undefined],
    [{ Firmware: 'bios' }, 'bios'],
    [{ Firmware: 'BIOS' }, 'bios'],
    [{ Firmware: ' efi ' }, 'efi'],
    [{ Firmware: 'EFI' }, 'efi'],
  ] as [VssdProperties, string | undefined][])('%j is %s, without a finding', (system, firmware) => {
    expect(firmwareOf(system)).toEqual({ firmware });
  });

  it('reads uefi as efi with a warning, and refuses anything else', () => {
    expect(firmwareOf({ Firmware: 'UEFI' })).toEqual({
      firmware: 'efi',
      finding: {
        code: 'INVALID_VALUE',
        severity: 'warning',
        message: 'Firmware "uefi" is read as efi',
        hint: 'Write efi',
      },
    });
    for (const bad of ['openfirmware', 'efi bios', 'x'.repeat(1000)]) {
      const r = firmwareOf({ Firmware: bad });
      expect(r.firmware).toBeUndefined();
      expect(r.finding).toMatchObject({ code: 'INVALID_VALUE', severity: 'error', hint: 'Use bios or efi' });
      expect(r.finding!.message.length).toBeLessThan(100);
    }
    expect(firmwareOf({ Firmware: ['efi'] as unknown as string }).finding?.severity).toBe('error');
  });
});

const def = (system: VssdProperties, ...list: RasdProperties[]): VirtualSystemDefinition => ({
  system,
  resources: list.map((properties) => ({ cimClass: 'CIM_ResourceAllocationSettingData', properties })),
});
const drives = (system: VssdProperties) =>
  def(
    system,
    { InstanceID: 'cd1', ResourceType: '15' },
    { InstanceID: 'd1', ResourceType: '17', HostResource: ['/a'] },
    { InstanceID: 'fd', ResourceType: '14' },
    { InstanceID: 'n1', ResourceType: '10' },
    { InstanceID: 'd2', ResourceType: '17', HostResource: ['/b'] },
    { InstanceID: 'cd2', ResourceType: '16' },
  );
const ids = (list: readonly { instanceId: string }[]) => list.map((d) => d.instanceId);

describe('boot order', () => {
  it('is the VSSD BootOrder, drives and NICs alike', () => {
    expect(ids(bootOrderOf(readDevices(drives({ BootOrder: ['n1', 'cd2', 'd1'] }))))).toEqual([
      'n1',
      'cd2',
      'd1',
    ]);
  });

  it('is disks in definition order, then CDs, when the definition gives none (floppies never)', () => {
    const v = readDevices(drives({}));
    expect(ids(defaultBootOrder(v))).toEqual(['d1', 'd2', 'cd1', 'cd2']);
    expect(ids(bootOrderOf(v))).toEqual(['d1', 'd2', 'cd1', 'cd2']);
    expect(ids(bootOrderOf(readDevices(drives({ BootOrder: ['nowhere'] }))))).toEqual([
      'd1',
      'd2',
      'cd1',
      'cd2',
    ]);
  });

  it('leaves out ids that name nothing bootable, and repeats', () => {
    const v = readDevices(drives({ BootOrder: ['d2', 'gone', 'd2', 'n1'] }));
    expect(ids(bootOrderOf(v))).toEqual(['d2', 'n1']);
    expect(v.findings.map((f) => f.message)).toEqual([
      'BootOrder names "gone", which is no device of this definition',
      'BootOrder names "d2" twice; the first counts',
    ]);
  });

  it('reads a lone string as one id and skips blanks', () => {
    expect(bootOrderIds({ BootOrder: 'd1' as unknown as string[] })).toEqual(['d1']);
    expect(bootOrderIds({ BootOrder: [' d1 ', '', '  '] })).toEqual(['d1']);
    expect(bootOrderIds({})).toEqual([]);
  });
});
