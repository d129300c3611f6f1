import { describe, expect, it } from 'vitest';
import { createClassRepository } from './classes/index.js';
import { CimError } from './errors.js';
import { formatObjectPath, parseObjectPath, samePath } from './paths.js';

describe('object paths in text form', () => {
  it('round-trips a path with namespace, host, escapes and a reference key', () => {
    const p = {
      className: 'Vessel_ElementSettingData',
      host: 'h1',
      namespace: 'root/virtualization',
      keys: {
        ManagedElement: {
          className: 'Vessel_ComputerSystem',
          keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'a "quoted" \\ name' },
        },
        SettingData: 'x,y=z',
      },
    };
    const text = formatObjectPath(p);
    const back = parseObjectPath(text);
    expect(back.className).toBe(p.className);
    expect(back.host).toBe('h1');
    expect(samePath(back, p)).toBe(true);
  });

  it('reads what wbemcli writes: unquoted numbers, keys without a namespace', () => {
    expect(parseObjectPath('PG_X.InstanceId=1,Name="a"')).toEqual({
      className: 'PG_X',
      keys: { InstanceId: '1', Name: 'a' },
      namespace: undefined,
      host: undefined,
    });
    expect(parseObjectPath('root/cimv2:CIM_X')).toMatchObject({
      className: 'CIM_X',
      keys: {},
      namespace: 'root/cimv2',
    });
  });

  it.each([
    ['an unterminated quote', 'C.K="abc'],
    ['a key without "="', 'C.K'],
    ['junk after a value', 'C.K="a"x'],
    ['a class name that is not a name', 'root:1C.K="a"'],
    ['a host without a namespace', '//h'],
  ])('refuses %s with CIM_ERR_INVALID_PARAMETER', (_w, text) => {
    expect(() => parseObjectPath(text)).toThrow(CimError);
  });

  it('compares key names without case, values exactly, and classes by inheritance', () => {
    const repo = createClassRepository();
    const a = {
      className: 'Vessel_ComputerSystem',
      keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'web1' },
      namespace: 'root/virtualization',
    };
    expect(
      samePath(
        a,
        {
          ...a,
          className: 'CIM_ComputerSystem',
          keys: { creationclassname: 'Vessel_ComputerSystem', NAME: 'web1' },
        },
        repo,
      ),
    ).toBe(true);
    expect(samePath(a, { ...a, keys: { ...a.keys, Name: 'WEB1' } }, repo)).toBe(false);
    expect(samePath(a, { ...a, className: 'Vessel_HostSystem' }, repo)).toBe(false);
    expect(samePath(a, { ...a, namespace: 'root/interop' }, repo)).toBe(false);
  });
});
