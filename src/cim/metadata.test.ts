import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../model/index.js';
import { VIRT_NAMESPACE } from './classes/index.js';
import { CimError } from './errors.js';
import { metadataEntries, metadataMap, metadataTag } from './metadata.js';
import { newContext } from './provider.js';
import { type CimSubject, openCimSubject } from './subject.case.test.js';
import type { CimInstance, CimInstanceName } from './types.js';

// Vessel's Metadata extension of the VSSD: the key=value codec, then GetInstance/EnumerateInstances and
// ModifySystemSettings through the object manager of a real host on the test driver.

const HOSTILE: Record<string, string> = {
  plain: 'web',
  'a=b': 'x=y==z',
  'line\nbreak': 'one\ntwo\r\nthree\rfour',
  'nul\0key': 'nul\0value\x01\x1f\t',
  '50%': '%41 is not A',
  'ünï 😀': 'noncharacters \uFFFE\uFFFF',
  [`${'k'.repeat(256)}`]: 'v'.repeat(65_536),
};
/** With lone surrogates too, which the codec carries but the host's store (UTF-8 SQLite) cannot keep. */
const WITH_SURROGATES = { ...HOSTILE, lone: 'surrogates \uD800 alone \uDC00' };

describe('metadataEntries() and metadataMap()', () => {
  it('round-trip hostile keys and values (=, newlines, CR, NUL, controls, %, lone surrogates, 64 Ki)', () => {
    const entries = metadataEntries(WITH_SURROGATES);
    expect(metadataMap(entries)).toEqual(WITH_SURROGATES);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be left
    for (const e of entries) expect(e).not.toMatch(/[\0-\x08\x0B-\x1F\uFFFE\uFFFF]/);
    expect(entries).toContain('a%3Db=x=y==z');
    expect(entries).toContain('50%25=%2541 is not A');
    expect(entries).toContain('line\nbreak=one\ntwo%0D\nthree%0Dfour');
    expect(entries).toContain('nul%00key=nul%00value%01%1F\t');
    expect(entries).toContain('ünï 😀=noncharacters %uFFFE%uFFFF');
    expect(entries).toContain('lone=surrogates %uD800 alone %uDC00');
    expect(metadataEntries({ b: '1', a: '2' })).toEqual(['a=2', 'b=1']);
  });

  it('refuses an entry without =, with an empty key, a key twice, or a bare %, naming the entry', () => {
    const bad: Array<[string[], RegExp]> = [
      [['a=1', 'novalue'], /Metadata\[1\] "novalue" is not key=value/],
      [['=v'], /Metadata\[0\]/],
      [['a=1', 'a=2'], /Metadata\[1\] gives the key "a" again/],
      [['a%3D=1', 'a%3d=2'], /Metadata\[1\] gives the key "a=" again/],
      [['a=50%'], /Metadata\[0\]: a % that starts no/],
      [['a%zz=1'], /Metadata\[0\]: a % that starts no/],
      [['a=%u12'], /Metadata\[0\]: a % that starts no/],
    ];
    for (const [entries, message] of bad) {
      let err: unknown;
      try {
        metadataMap(entries);
      } catch (e) {
        err = e;
      }
      expect(err, entries.join(' ')).toBeInstanceOf(CimError);
      expect((err as CimError).code, entries.join(' ')).toBe('CIM_ERR_INVALID_PARAMETER');
      expect((err as CimError).message, entries.join(' ')).toMatch(message);
    }
    expect(metadataMap(['__proto__=x', 'constructor=y'])).toEqual(
      JSON.parse('{"__proto__":"x","constructor":"y"}'),
    );
  });

  it('tags equal maps equally whatever their order, and different maps differently', () => {
    expect(metadataTag({ a: '1', b: '2' })).toBe(metadataTag({ b: '2', a: '1' }));
    expect(metadataTag({ a: '1' })).not.toBe(metadataTag({ a: '2' }));
    expect(metadataTag({})).toMatch(/^[0-9a-f]{32}$/);
  });
});

const NS = VIRT_NAMESPACE;
let s: CimSubject;
const vssd = (name: string): CimInstanceName => ({
  className: 'Vessel_VirtualSystemSettingData',
  keys: { InstanceID: `Vessel:${name}` },
});

beforeAll(async () => {
  s = await openCimSubject();
  await s.define(buildDefinition({ name: 'meta1', cpus: 1, memoryBytes: 64n << 20n }));
  await s.define(buildDefinition({ name: 'meta2', cpus: 1, memoryBytes: 64n << 20n }));
});
afterAll(async () => {
  await s.close();
});

async function modify(role: 'admin' | 'operator' | 'reader', name: string, props: CimInstance['properties']) {
  const om = s.cim.om;
  const ctx = newContext(`u-${role}`, role);
  const vsms = (await om.enumerateInstanceNames(ctx, NS, 'CIM_VirtualSystemManagementService'))[0]!;
  return om.invokeMethod(ctx, NS, vsms, 'ModifySystemSettings', {
    SystemSettings: {
      className: 'Vessel_VirtualSystemSettingData',
      properties: { InstanceID: `Vessel:${name}`, ...props },
    },
  });
}

const read = async (name: string) =>
  (await s.cim.om.getInstance(newContext('r', 'reader'), NS, vssd(name))).properties;

describe('Vessel_VirtualSystemSettingData.Metadata through the object manager', () => {
  it('GetInstance and EnumerateInstances show the Api metadata as sorted key=value entries with its tag', async () => {
    await s.api.systems.setMetadata('meta1', 'b.key', 'two=2');
    await s.api.systems.setMetadata('meta1', 'a.key', 'one');
    const p = await read('meta1');
    expect(p.Metadata).toEqual(['a.key=one', 'b.key=two=2']);
    expect(p.MetadataTag).toBe(metadataTag({ 'a.key': 'one', 'b.key': 'two=2' }));
    const all = await s.cim.om.enumerateInstances(
      newContext('r', 'reader'),
      NS,
      'CIM_VirtualSystemSettingData',
    );
    const m2 = all.find((i) => i.properties.ElementName === 'meta2');
    expect([m2?.properties.Metadata, m2?.properties.MetadataTag]).toEqual([[], metadataTag({})]);
  });

  it('ModifySystemSettings sets and removes only the keys that differ, and hostile text round-trips', async () => {
    const before = await s.api.systems.metadata('meta1');
    expect(
      (await modify('admin', 'meta1', { Metadata: metadataEntries({ ...HOSTILE, 'a.key': 'one' }) }))
        .returnValue,
    ).toBe(0);
    const got = await s.api.systems.metadata('meta1');
    for (const k of Object.keys(HOSTILE)) expect([k, got[k]]).toEqual([k, HOSTILE[k]]);
    expect(before['a.key']).toBe('one');
    // Only a tag and no list: WS-Man's way of sending an empty list.
    const tag = (await read('meta1')).MetadataTag;
    expect((await modify('admin', 'meta1', { MetadataTag: tag })).returnValue).toBe(0);
    expect(await s.api.systems.metadata('meta1')).toEqual({});
  });

  it('a stale MetadataTag, a reader, an operator, an oversized value or a bad entry change nothing', async () => {
    await s.api.systems.setMetadata('meta2', 'keep', 'me');
    const stale = metadataTag({});
    const refusals: Array<[Promise<unknown>, string, RegExp]> = [
      [
        modify('admin', 'meta2', { Metadata: ['x=1'], MetadataTag: stale }),
        'CIM_ERR_FAILED',
        /changed since MetadataTag/,
      ],
      [modify('reader', 'meta2', { Metadata: ['keep=me'] }), 'CIM_ERR_ACCESS_DENIED', /needs the admin role/],
      [
        modify('operator', 'meta2', { Metadata: ['x=1'] }),
        'CIM_ERR_ACCESS_DENIED',
        /operator.*systems\.setMetadata/,
      ],
      [
        modify('admin', 'meta2', { Metadata: ['keep=me', `big=${'v'.repeat(65_537)}`] }),
        'CIM_ERR_INVALID_PARAMETER',
        /systems\.setMetadata/,
      ],
      [
        modify('admin', 'meta2', { Metadata: [`${'k'.repeat(257)}=v`] }),
        'CIM_ERR_INVALID_PARAMETER',
        /systems\.setMetadata/,
      ],
      [
        modify('admin', 'meta2', { Metadata: ['x=1', 'broken'] }),
        'CIM_ERR_INVALID_PARAMETER',
        /Metadata\[1\]/,
      ],
      [
        modify('admin', 'meta2', { Metadata: [], Description: 'new' }),
        'CIM_ERR_INVALID_PARAMETER',
        /Change Metadata alone/,
      ],
    ];
    for (const [call, code, message] of refusals) {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, String(message)).toMatchObject({ code, message: expect.stringMatching(message) });
    }
    expect(await s.api.systems.metadata('meta2')).toEqual({ keep: 'me' });
    // A whole instance read back, with Metadata changed, is a Metadata change.
    const whole = await read('meta2');
    const r = await modify('admin', 'meta2', {
      ...whole,
      Metadata: ['keep=me', 'more=1'],
      MetadataTag: whole.MetadataTag,
    });
    expect(r.returnValue).toBe(0);
    expect(await s.api.systems.metadata('meta2')).toEqual({ keep: 'me', more: '1' });
  });

  it('concurrent changes with the tag each read: one wins, the others change nothing', async () => {
    const { MetadataTag: tag } = await read('meta1');
    const results = await Promise.allSettled(
      ['p', 'q', 'r'].map((k) => modify('admin', 'meta1', { Metadata: [`${k}=1`], MetadataTag: tag })),
    );
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(Object.keys(await s.api.systems.metadata('meta1'))).toHaveLength(1);
  });

  it('DefineSystem refuses Metadata (set it once the system exists)', async () => {
    const ctx = newContext('a', 'admin');
    const vsms = (await s.cim.om.enumerateInstanceNames(ctx, NS, 'CIM_VirtualSystemManagementService'))[0]!;
    const err = await s.cim.om
      .invokeMethod(ctx, NS, vsms, 'DefineSystem', {
        SystemSettings: {
          className: 'Vessel_VirtualSystemSettingData',
          properties: { ElementName: 'meta3', Metadata: ['a=1'] },
        },
        ResourceSettings: [],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({
      code: 'CIM_ERR_INVALID_PARAMETER',
      message: expect.stringContaining('ModifySystemSettings'),
    });
  });
});
