import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/cli.js';
import { allContents, parseOvf, virtualSystems } from '../../ovf/index.js';
import { maskSecrets, propertyProblem, resolveProperties, secretKeys } from './properties.js';

const env = parseOvf(readFileSync(join(ROOT, 'test/fixtures/deploy/collection.ovf')));
const contents = allContents(env);
const [db] = virtualSystems(env);

describe('resolveProperties()', () => {
  it('takes defaults, names classed properties class.key, and gives each content node its own values', () => {
    const r = resolveProperties(contents, 'small', {});
    expect(r.errors).toEqual([]);
    expect(r.values.get(contents[0]!)).toEqual([{ key: 'domain', value: 'example.test' }]);
    expect(r.values.get(db!)).toEqual([{ key: 'org.example.db.port', value: '5432' }]);
  });

  it('applies given values and checks them against type and qualifiers', () => {
    expect(resolveProperties(contents, undefined, { 'org.example.db.port': '6000' }).values.get(db!)).toEqual(
      [{ key: 'org.example.db.port', value: '6000' }],
    );
    const low = resolveProperties(contents, undefined, { 'org.example.db.port': '80' });
    expect(low.errors.join()).toMatch(/less than MinValue\(1024\)/);
    const big = resolveProperties(contents, undefined, { 'org.example.db.port': '70000' });
    expect(big.errors.join()).toMatch(/outside uint16/);
    const word = resolveProperties(contents, undefined, { 'org.example.db.port': 'http' });
    expect(word.errors.join()).toMatch(/not a whole number/);
  });

  it('refuses a key the package does not have, naming the ones it has', () => {
    const r = resolveProperties(contents, undefined, { hostname: 'x' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/no property "hostname".*domain, org\.example\.db\.port/);
  });

  it('requires a user-configurable property without a default, and refuses setting a fixed one', () => {
    const pkg =
      parseOvf(`<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
      <References/><VirtualSystem ovf:id="vm"><Info>x</Info><ProductSection><Info>p</Info>
      <Property ovf:key="password" ovf:type="string" ovf:userConfigurable="true" ovf:password="true" ovf:qualifiers="MinLen(8)"/>
      <Property ovf:key="build" ovf:type="string" ovf:value="42"/>
      <Property ovf:key="size" ovf:type="uint32" ovf:value="1" ovf:userConfigurable="true"><Value ovf:value="8" ovf:configuration="big"/></Property>
      </ProductSection></VirtualSystem></Envelope>`);
    const vm = allContents(pkg);
    expect(resolveProperties(vm, undefined, {}).errors).toEqual([
      'Property "password" has no default and must be given: --prop password=VALUE',
    ]);
    expect(resolveProperties(vm, undefined, { password: 'short' }).errors.join()).toMatch(
      /fewer than MinLen\(8\)/,
    );
    expect(resolveProperties(vm, undefined, { password: 'longenough', build: '43' }).errors).toEqual([
      'Property "build" is not user-configurable; it cannot be set',
    ]);
    const big = resolveProperties(vm, 'big', { password: 'longenough' });
    expect(big.values.get(vm[0]!)).toContainEqual({ key: 'size', value: '8' });
  });
});

describe('propertyProblem()', () => {
  it('checks ValueMap and booleans', () => {
    const p = {
      entry: 'Property',
      key: 'k',
      type: 'string',
      qualifiers: 'ValueMap{"a","b"}',
      values: [],
      attrs: [],
      extra: [],
    } as const;
    expect(propertyProblem({ ...p, values: [], attrs: [], extra: [] }, 'a')).toBeUndefined();
    expect(propertyProblem({ ...p, values: [], attrs: [], extra: [] }, 'c')).toMatch(/not one of ValueMap/);
    expect(
      propertyProblem(
        { ...p, type: 'boolean', qualifiers: undefined, values: [], attrs: [], extra: [] },
        'maybe',
      ),
    ).toMatch(/not true or false/);
  });
});

describe('password properties', () => {
  const pkg =
    parseOvf(`<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
    <References/><VirtualSystem ovf:id="vm"><Info>x</Info>
    <ProductSection><Info>p</Info>
    <Property ovf:key="pw" ovf:type="string" ovf:userConfigurable="true" ovf:password="true" ovf:qualifiers="MinLen(8) MaxLen(12)"/>
    <Property ovf:key="pin" ovf:type="uint16" ovf:userConfigurable="true" ovf:password="1" ovf:value="1234"/>
    <Property ovf:key="mode" ovf:type="string" ovf:userConfigurable="true" ovf:password="true" ovf:qualifiers='ValueMap{"a","b"}' ovf:value="a"/>
    <Property ovf:key="user" ovf:type="string" ovf:userConfigurable="true" ovf:value="root"/>
    </ProductSection>
    <ProductSection ovf:class="org.example" ovf:instance="2"><Info>c</Info>
    <Property ovf:key="token" ovf:type="string" ovf:password="true" ovf:value="t"/>
    </ProductSection></VirtualSystem></Envelope>`);
  const vm = allContents(pkg);

  it('are known by their environment keys (ovf:password true or 1, classed sections too)', () => {
    expect([...secretKeys(vm)].sort()).toEqual(['mode', 'org.example.token.2', 'pin', 'pw']);
    const r = resolveProperties(vm, undefined, { pw: 'longenough' });
    expect([...r.secrets].sort()).toEqual(['mode', 'org.example.token.2', 'pin', 'pw']);
    expect(maskSecrets({ pw: 'longenough', pin: '1234', user: 'root' }, r.secrets)).toEqual({
      pw: '********',
      pin: '********',
      user: 'root',
    });
  });

  it('are refused without their value in the message', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { pw: 'sesame' },
        /^Property "pw" \(string MinLen\(8\) MaxLen\(12\)\): the value is 6 characters, fewer than MinLen\(8\)$/,
      ],
      [{ pw: 'sesame-sesame-sesame' }, /: the value is 20 characters, more than MaxLen\(12\)$/],
      [
        { pw: 'longenough', pin: '99999' },
        /^Property "pin" \(uint16\): the value is outside uint16 \(0\.\.65535\)$/,
      ],
      // The check shows the number as it read it (99999), not as given: a general message then.
      [
        { pw: 'longenough', pin: '+099999' },
        /^Property "pin" \(uint16\): the value does not fit its type uint16$/,
      ],
      [{ pw: 'longenough', pin: 'open' }, /^Property "pin" \(uint16\): the value is not a whole number$/],
      [{ pw: 'longenough', mode: 'zzz' }, /: the value is not one of ValueMap\{"a", "b"\}$/],
    ];
    for (const [given, expected] of cases) {
      const errors = resolveProperties(vm, undefined, given).errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(expected);
      for (const v of Object.values(given)) expect(errors[0]).not.toContain(v);
    }
  });

  it('whose value appears in the rest of the message get a general one', () => {
    // "e" is 1 characters: the value "e" is inside "characters", so nothing of the message is kept.
    const errors = resolveProperties(vm, undefined, { pw: 'e' }).errors;
    expect(errors).toEqual([
      'Property "pw" (string MinLen(8) MaxLen(12)): the value does not fit its type string and qualifiers MinLen(8) MaxLen(12)',
    ]);
  });
});
