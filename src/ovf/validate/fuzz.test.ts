import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { descriptor } from '../../../test/fixtures/ovf/descriptor.js';
import { CORPUS } from '../../../test/helpers/corpus.js';
import { ARRAY_PROPERTIES } from '../../model/index.js';
import { OvfError } from '../errors.js';
import { parseOvf } from '../parse.js';
import type { OvfEnvelope } from '../types.js';
import { validateOvf } from './validate.js';

const SEEDS = [
  descriptor(),
  ...[
    'glennmatthews__cot__COT__tests__csr1000v.ovf',
    'glennmatthews__cot__COT__tests__ubuntu.2.0.ovf',
    'glennmatthews__cot__COT__tests__v0.9.ovf',
    'vmware__govmomi__ovf__fixtures__external__OVFToolTemplates__OVF__xmltestfiles__VirtualAppliances__Pos__nvapp001.ovf',
    'vmware__govmomi__ovf__fixtures__multiple_disks.ovf',
    'vmware__govmomi__ovf__fixtures__qualifiers.ovf',
  ].map((f) => readFileSync(join(CORPUS, f), 'utf8')),
];

/** Values that sit on the edges validation must handle: empty, negative, huge, references, odd units. */
const nasty = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '0',
    '1',
    '-9223372036854775809',
    '18446744073709551616',
    '9'.repeat(60),
    `\${missing}`,
    `\${`,
    'ovf:/disk/',
    'ovf://file/x',
    '/disk/vmdisk1',
    'byte * 2^999',
    'byte * 2 ^',
    'byte / 0',
    'MegaBytes',
    'hertz * 10^6',
    'false',
    'ValueMap{',
    'ValueMap{"a",',
    'MinLen(-1)',
    'MaxValue(1e999)',
    '1..',
    'vmx-',
    '\u0000',
    '😀',
  ),
  fc.string({ maxLength: 12 }),
);

/** Every attribute value and element text of the document, as [start, end) offsets. */
function slots(xml: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of xml.matchAll(/="([^"<&]*)"|>([^<&]+)</g)) {
    const start = (m.index ?? 0) + (m[1] !== undefined ? 2 : 1);
    out.push([start, start + (m[1] ?? m[2] ?? '').length]);
  }
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** Properties whose value's shape is not the one the model's type promises (a list for a list, else text). */
function mistyped(env: OvfEnvelope): string[] {
  const out: string[] = [];
  const look = (where: string, props: Record<string, unknown>) => {
    for (const [name, v] of Object.entries(props)) {
      const ok = ARRAY_PROPERTIES.has(name)
        ? Array.isArray(v) && v.every((x) => typeof x === 'string')
        : typeof v === 'string';
      if (!ok) out.push(`${where} ${name}: ${JSON.stringify(v)}`);
    }
  };
  const visit = (sections: OvfEnvelope['sections'], where: string) => {
    for (const s of sections) {
      if (s.kind !== 'VirtualHardwareSection' && s.kind !== 'ResourceAllocationSection') continue;
      if (s.kind === 'VirtualHardwareSection' && s.system) look(`${where} System`, s.system.properties);
      for (const [i, it] of s.items.entries()) look(`${where} item ${i}`, it.resource.properties);
    }
  };
  visit(env.sections, 'envelope');
  const walk = (c: OvfEnvelope['content'], where: string): void => {
    if (c === undefined) return;
    visit(c.sections, where);
    for (const x of c.children) walk(x, `${where}/${x.id}`);
  };
  walk(env.content, env.content?.id ?? 'content');
  return out;
}

/** Validates whatever the mutation left parsable; parse errors are the parser's business, not ours. */
function check(xml: string): void {
  let env: OvfEnvelope;
  try {
    env = parseOvf(xml);
  } catch (e) {
    if (e instanceof OvfError) return;
    throw e;
  }
  expect(mistyped(env)).toEqual([]);
  const ds = validateOvf(env, { target: 'vmware' });
  expect(ds.filter((d) => d.code === 'OVF_CHECK_FAILED')).toEqual([]);
  validateOvf(env, { lax: true, target: 'virtualbox' });
  validateOvf(env, { target: 'qemu' });
}

describe('validateOvf() on random mutations (property-based)', () => {
  it('never throws nor fails a check when attribute values and texts are replaced by edge values', () => {
    const seeds = SEEDS.map((xml) => ({ xml, slots: slots(xml) }));
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(fc.tuple(fc.nat(), nasty), { minLength: 1, maxLength: 8 }),
        (seedIndex, edits) => {
          const seed = seeds[seedIndex]!;
          const chosen = new Map<number, string>();
          for (const [n, v] of edits) chosen.set(n % seed.slots.length, escapeXml(v));
          let xml = seed.xml;
          for (const [i, v] of [...chosen].sort((a, b) => b[0] - a[0])) {
            const [s, e] = seed.slots[i]!;
            xml = xml.slice(0, s) + v + xml.slice(e);
          }
          check(xml);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never throws nor fails a check when whole lines are deleted or duplicated', () => {
    fc.assert(
      fc.property(
        fc.nat(SEEDS.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 6 }),
        (i, ops) => {
          const lines = SEEDS[i]!.split('\n');
          for (const [n, dup] of ops) {
            const at = n % lines.length;
            if (dup) lines.splice(at, 0, lines[at]!);
            else lines.splice(at, 1);
          }
          check(lines.join('\n'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('checks an Item that takes in the next ones, so repeating their single-valued properties', () => {
    // Found by the line mutations above (CI, seed -825835799): a repeated ResourceType reached the checks as a list.
    const lines = SEEDS[3]!.split('\n');
    const ops: Array<[number, boolean]> = [
      [0, false],
      [1048912633, false],
      [22, true],
      [955425570, false],
      [274917512, false],
    ];
    for (const [n, dup] of ops) {
      const at = n % lines.length;
      if (dup) lines.splice(at, 0, lines[at]!);
      else lines.splice(at, 1);
    }
    const env = parseOvf(lines.join('\n'));
    expect(mistyped(env)).toEqual([]);
    const ds = validateOvf(env, { target: 'vmware' });
    expect(ds.filter((d) => d.code === 'OVF_CHECK_FAILED')).toEqual([]);
    expect(ds.filter((d) => d.code === 'OVF_PROPERTY_REPEATED').map((d) => d.message)).toEqual([
      expect.stringContaining('System has 2 <InstanceID> elements'),
      expect.stringContaining('has 2 <Caption> elements'),
      expect.stringContaining('has 2 <Description> elements'),
      expect.stringContaining('has 2 <ResourceType> elements'),
    ]);
  });

  it('reports OVF_CHECK_FAILED instead of throwing on a model no parser could produce', () => {
    const env = parseOvf(descriptor());
    const broken = { ...env, references: [null], sections: [{ kind: 'DiskSection', disks: 'x' }] };
    const ds = validateOvf(broken as unknown as OvfEnvelope, { file: 'broken.ovf' });
    expect(ds.some((d) => d.code === 'OVF_CHECK_FAILED' && d.severity === 'error')).toBe(true);
    expect(ds.find((d) => d.code === 'OVF_CHECK_FAILED')?.message).toContain('broken.ovf');
  });
});
