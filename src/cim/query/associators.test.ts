import { describe, expect, it } from 'vitest';
import { CimError } from '../errors.js';
import { isAssociatorsQuery, parseAssociatorsQuery } from './associators.js';

describe('parseAssociatorsQuery()', () => {
  it('reads the WMI form with single-quoted keys and the association filters', () => {
    const q = parseAssociatorsQuery(
      "ASSOCIATORS OF {Msvm_ComputerSystem.CreationClassName='Msvm_ComputerSystem',Name='6A2C-11'} WHERE AssocClass = Msvm_SettingsDefineState ResultClass = Msvm_VirtualSystemSettingData",
    );
    expect(q.object).toEqual({
      className: 'Msvm_ComputerSystem',
      keys: { CreationClassName: 'Msvm_ComputerSystem', Name: '6A2C-11' },
      namespace: undefined,
      host: undefined,
    });
    expect(q.filter).toEqual({
      assocClass: 'Msvm_SettingsDefineState',
      resultClass: 'Msvm_VirtualSystemSettingData',
    });
  });

  it('reads double quotes, quotes inside values, Role and ResultRole, and no WHERE', () => {
    const q = parseAssociatorsQuery(
      `associators of {C.Name="a'b",Id='x"y'} where Role = Antecedent ResultRole = Dependent`,
    );
    expect(q.object.keys).toEqual({ Name: "a'b", Id: 'x"y' });
    expect(q.filter).toEqual({ role: 'Antecedent', resultRole: 'Dependent' });
    expect(parseAssociatorsQuery('ASSOCIATORS OF {C.Name="a"}').filter).toEqual({});
  });

  it.each([
    ['ASSOCIATORS OF C.Name="a"', 'no braces'],
    ['ASSOCIATORS OF {C.Name="a"} WHERE ClassDefsOnly', 'ClassDefsOnly'],
    ['ASSOCIATORS OF {C.Name="a"} WHERE RequiredQualifier = Key', 'a qualifier filter'],
    ['ASSOCIATORS OF {C.Name="a"} WHERE AssocClass =', 'a filter without a value'],
    ['ASSOCIATORS OF {9.Name="a"}', 'a bad class name'],
  ])('refuses %s (%s) with CIM_ERR_INVALID_QUERY', (text) => {
    expect(() => parseAssociatorsQuery(text)).toThrow(CimError);
    try {
      parseAssociatorsQuery(text);
    } catch (e) {
      expect((e as CimError).code).toBe('CIM_ERR_INVALID_QUERY');
    }
  });

  it('tells ASSOCIATORS OF from SELECT', () => {
    expect(isAssociatorsQuery('  associators of {C.k=1}')).toBe(true);
    expect(isAssociatorsQuery('SELECT * FROM C')).toBe(false);
  });
});
