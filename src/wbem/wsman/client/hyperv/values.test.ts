import { describe, expect, it } from 'vitest';
import { parseXml } from '../../../../xml/index.js';
import { embeddedInstance, wmiPath } from './embedded.js';
import { HYPERV_RETURN_CODES, returnCodeError } from './errors.js';
import { vmQuery, wqlString } from './names.js';
import { definitionOfSettings, instanceIdOfPath, summaryOfVm } from './values.js';

describe('Hyper-V profile values', () => {
  it('embeddedInstance() writes CIM-XML with typed numbers, arrays, and escaped hostile text', () => {
    const xml = embeddedInstance('Msvm_StorageAllocationSettingData', {
      ResourceType: '31',
      HostResource: ['C:\\VMs\\a<b>&"c".vhdx'],
      ElementName: ']]></INSTANCE><INSTANCE CLASSNAME="x">',
      Skipped: undefined,
    });
    const root = parseXml(xml).root;
    expect(root.local).toBe('INSTANCE');
    expect(xml).toContain('<PROPERTY NAME="ResourceType" TYPE="uint16"><VALUE>31</VALUE></PROPERTY>');
    expect(xml).toContain(
      '<PROPERTY.ARRAY NAME="HostResource" TYPE="string"><VALUE.ARRAY><VALUE>C:\\VMs\\a&lt;b&gt;&amp;"c".vhdx</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>',
    );
    expect(xml).not.toContain('Skipped');
    // The hostile name stays text: one INSTANCE, three properties.
    expect(root.children.filter((c) => c.type === 'element')).toHaveLength(3);
  });

  it('wmiPath() and instanceIdOfPath() round-trip InstanceIDs with backslashes and quotes', () => {
    for (const id of ['Microsoft:G\\1\\0\\0\\D', 'a"b\\"c', '', 'x'.repeat(5000)]) {
      const path = wmiPath('HV1', 'Msvm_ResourceAllocationSettingData', id);
      expect(
        path.startsWith('\\\\HV1\\root\\virtualization\\v2:Msvm_ResourceAllocationSettingData.InstanceID="'),
      ).toBe(true);
      expect(instanceIdOfPath(path)).toBe(id);
    }
    expect(instanceIdOfPath('not a path')).toBe('not a path');
  });

  it('wqlString() escapes quotes and backslashes, so a name cannot end the literal', () => {
    expect(wqlString('web1')).toBe('"web1"');
    expect(wqlString(`a"b'c\\`)).toBe(`"a\\"b\\'c\\\\"`);
    expect(vmQuery({ ElementName: '" OR Name <> "' })).toBe(
      'SELECT * FROM Msvm_ComputerSystem WHERE Description = "Microsoft Virtual Machine" AND ElementName = "\\" OR Name <> \\""',
    );
  });

  it('every return value 32768-32778 has a meaning and an Api code; others are PROTOCOL', () => {
    for (let v = 32768; v <= 32778; v++) {
      expect(HYPERV_RETURN_CODES[v]?.meaning).toBeTruthy();
      const e = returnCodeError('DefineSystem', v, 'Cannot define "w"', 'Hyper-V at h');
      expect(e.code).toBe(HYPERV_RETURN_CODES[v]!.code);
      expect(e.message).toBe(
        `Cannot define "w" on Hyper-V at h: DefineSystem answered ${v} (${HYPERV_RETURN_CODES[v]!.meaning})`,
      );
      expect(e.detail).toEqual({ domain: 'hyperv', code: `DefineSystem:${v}` });
    }
    for (const v of [32779, 7, -1, 4097]) expect(returnCodeError('X', v, 'w', 'h').code).toBe('PROTOCOL');
  });

  it('summaryOfVm() reads Hyper-V states, lower-cases the GUID and falls back on missing times', () => {
    const vm = (EnabledState: string | undefined) =>
      summaryOfVm({
        className: 'Msvm_ComputerSystem',
        properties: { Name: 'ABCDEF00-0000-4000-8000-000000000001', ElementName: 'w', EnabledState },
      });
    expect(
      ['2', '3', '9', '32768', '6', '32774', '10', '0', '-3', undefined].map((s) => vm(s).state),
    ).toEqual([
      'running',
      'stopped',
      'paused',
      'paused',
      'suspended',
      'stopping',
      'starting',
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(vm('2').uuid).toBe('abcdef00-0000-4000-8000-000000000001');
    expect(vm('2').changedAt).toBe('1970-01-01T00:00:00.000Z');
  });

  it('definitionOfSettings() folds a medium into its drive and keeps only the model schema', () => {
    const def = definitionOfSettings(
      {
        className: 'Msvm_VirtualSystemSettingData',
        properties: {
          InstanceID: 'Microsoft:G',
          ElementName: 'w',
          VirtualSystemSubType: 'Microsoft:Hyper-V:SubType:1',
          SecureBootEnabled: 'true',
        },
      },
      [
        {
          className: 'Msvm_ResourceAllocationSettingData',
          properties: {
            InstanceID: 'Microsoft:G\\D1',
            ResourceType: '17',
            Parent: wmiPath('H', 'Msvm_X', 'Microsoft:G\\C'),
          },
        },
        {
          className: 'Msvm_StorageAllocationSettingData',
          properties: {
            InstanceID: 'Microsoft:G\\M1',
            ResourceType: '31',
            Parent: wmiPath('H', 'Msvm_ResourceAllocationSettingData', 'Microsoft:G\\D1'),
            HostResource: 'C:\\a.vhdx',
          },
        },
        // A medium whose Parent names no drive stays as it is.
        {
          className: 'Msvm_StorageAllocationSettingData',
          properties: { InstanceID: 'Microsoft:G\\M2', ResourceType: '31', Parent: 'nowhere' },
        },
      ],
    );
    expect(def.system).toEqual({ ElementName: 'w', Firmware: 'bios' });
    expect(
      def.resources.map((r) => [r.properties.InstanceID, r.properties.Parent, r.properties.HostResource]),
    ).toEqual([
      // HostResource is a list in the schema, though Hyper-V's medium sent it as one value.
      ['Microsoft:G\\D1', 'Microsoft:G\\C', ['C:\\a.vhdx']],
      ['Microsoft:G\\M2', 'nowhere', undefined],
    ]);
  });
});
