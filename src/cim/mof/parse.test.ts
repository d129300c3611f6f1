import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { CimError } from '../errors.js';
import { parseMof } from './parse.js';

const DMTF = join(SHARED, 'cim', 'dmtf-schema-2.41');

describe('parseMof()', () => {
  it('reads every DMTF CIM 2.41 MOF in the shared schema folder', () => {
    const files = readdirSync(DMTF).filter((f) => f.endsWith('.mof'));
    expect(files.length).toBeGreaterThan(60);
    let classes = 0;
    for (const f of files) classes += parseMof(readFileSync(join(DMTF, f), 'utf8'), f).classes.length;
    expect(classes).toBe(65);
  });

  it('reads a method with IN/OUT, reference and embedded-instance array parameters', () => {
    const doc = parseMof(readFileSync(join(DMTF, 'CIM_VirtualSystemManagementService.mof'), 'utf8'));
    const cls = doc.classes[0]!;
    expect(cls.name).toBe('CIM_VirtualSystemManagementService');
    expect(cls.superClass).toBe('CIM_Service');
    const define = cls.methods.find((m) => m.name === 'DefineSystem')!;
    expect(define.returnType).toBe('uint32');
    expect(define.parameters.map((p) => `${p.name}:${p.type}${p.isArray ? '[]' : ''}`)).toEqual([
      'SystemSettings:string',
      'ResourceSettings:string[]',
      'ReferenceConfiguration:reference',
      'ResultingSystem:reference',
      'Job:reference',
    ]);
    const rs = define.parameters[1]!;
    expect(rs.qualifiers.find((q) => q.name === 'EmbeddedInstance')?.value).toBe(
      'CIM_ResourceAllocationSettingData',
    );
    expect(define.parameters[3]!.referenceClass).toBe('CIM_ComputerSystem');
  });

  it('reads key qualifiers without a value as true and keeps ValueMap arrays', () => {
    const doc = parseMof(readFileSync(join(DMTF, 'CIM_System.mof'), 'utf8'));
    const ccn = doc.classes[0]!.properties.find((p) => p.name === 'CreationClassName')!;
    expect(ccn.qualifiers.find((q) => q.name === 'Key')).toMatchObject({ type: 'boolean', value: 'true' });
  });

  it('reads instances as cimtest sends them, with numbers, booleans, arrays and NULL', () => {
    const doc = parseMof(
      'instance of KVM_VirtualSystemSettingData {\n InstanceID = "KVM:vm1";\n VirtualQuantity = 0x200;' +
        '\n EnableACPI = TRUE; Notes = {"a", "b" "c"}; Caption = NULL; Weight = -5; Ratio = 1.5e3; };',
    );
    expect(doc.instances[0]).toMatchObject({
      className: 'KVM_VirtualSystemSettingData',
      properties: {
        InstanceID: 'KVM:vm1',
        VirtualQuantity: '512',
        EnableACPI: 'true',
        Notes: ['a', 'bc'],
        Weight: '-5',
        Ratio: '1.5e3',
      },
    });
    expect('Caption' in doc.instances[0]!.properties).toBe(false);
  });

  it('unescapes string escapes including \\x', () => {
    const doc = parseMof('instance of X { A = "q\\"\\n\\x41\\\\"; };');
    expect(doc.instances[0]!.properties.A).toBe('q"\nA\\');
  });

  it.each([
    ['instance of X { A = "open; };', 1],
    ['instance of X { A = ; };', 1],
    ['class X { uint99 A; };', 1],
    ['instance of X {\n A = 1\n};', 3],
    ['/* never closed', 1],
    ['instance X {};', 1],
    ['class X { [Key string A; };', 1],
    ['instance of X { A = 12zz; };', 1],
  ])('rejects malformed MOF %j with CIM_MOF_SYNTAX and its line', (text, line) => {
    try {
      parseMof(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CimError);
      expect((e as CimError).code).toBe('CIM_MOF_SYNTAX');
      expect((e as CimError).location?.line).toBe(line);
    }
  });

  it('parses a hostile, deeply repetitive input in linear time without recursion', () => {
    const big = `instance of X { A = {${'"x",'.repeat(50_000)}"y"}; };`;
    expect((parseMof(big).instances[0]!.properties.A as string[]).length).toBe(50_001);
  });

  it('reads hostile literals in linear time: a long digit run ending in a letter, 200,000 \\x escapes', () => {
    const digits = `instance of X { A = ${'1'.repeat(100_000)}x; };`;
    expect(() => parseMof(digits)).toThrow(/too long for a CIM integer/);
    const escapes = parseMof(`instance of X { A = "${'\\x41'.repeat(200_000)}"; };`);
    expect(escapes.instances[0]!.properties.A).toBe('A'.repeat(200_000));
    const real = parseMof(`instance of X { A = ${'1'.repeat(100_000)}.5e3; };`);
    expect(real.instances[0]!.properties.A).toHaveLength(100_004);
  });

  it('refuses an integer literal wider than 64 bits with CIM_MOF_SYNTAX', () => {
    expect(parseMof(`instance of X { A = 0x${'f'.repeat(16)}; };`).instances[0]!.properties.A).toBe(
      '18446744073709551615',
    );
    expect(() => parseMof(`instance of X { A = ${'9'.repeat(70)}; };`)).toThrow(CimError);
  });

  it('keeps a property named __proto__ as a property, never as the prototype', () => {
    const doc = parseMof('instance of X { __proto__ = {"a"}; B = 1; };');
    const props = doc.instances[0]!.properties;
    expect(Object.getPrototypeOf(props)).toBe(Object.prototype);
    expect(Object.keys(props)).toEqual(['__proto__', 'B']);
  });
});
