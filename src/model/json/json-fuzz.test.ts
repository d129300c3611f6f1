import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDefinition } from '../build.js';
import { ModelError } from '../errors.js';
import { assertShapes } from '../shapes.js';
import { validateDefinition } from '../validate.js';
import { definitionFromJson } from './decode.js';
import { definitionToJson } from './encode.js';

// The JSON encoding is what `vessel vm define --from-json`, the REST API and the SDK send: any JSON value at any
// place of it is read into a definition or refused with the model's error naming where, and what is read can be
// judged and written back without an exception.

const SEEDS = [
  definitionToJson(
    buildDefinition({
      name: 'a',
      cpus: 2,
      memoryBytes: 256n << 20n,
      disks: ['/images/a.qcow2', { capacityBytes: 1n << 30n }],
      cdroms: ['/images/x.iso'],
      nics: [{ network: 'user', mac: '52:54:00:12:34:56' }],
      firmware: 'efi',
    }),
  ),
  definitionToJson(
    buildDefinition({
      name: 'b',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: ['/images/a.qcow2'],
      diskBus: 'nvme',
    }),
  ),
] as unknown[];

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    'ide',
    'scsi',
    'virtio',
    'nvme',
    'disk',
    'cdrom',
    'nic',
    'controller',
    'drive',
    'serial',
    'other',
    '4',
    '-1',
    '1e3',
    '/images/a.qcow2',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, Number.MAX_VALUE, Number.NaN),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.constantFrom('id', 'kind', 'device', 'properties', 'ResourceType', 'x'),
      leaf,
      { maxKeys: 3 },
    ),
  },
);

/** Every object and array inside `v`, with `v`. */
function containers(v: unknown, out: Array<Record<string, unknown> | unknown[]> = []) {
  if (typeof v !== 'object' || v === null) return out;
  out.push(v as Record<string, unknown>);
  for (const x of Object.values(v)) containers(x, out);
  return out;
}

const KEYS = [
  'name',
  'cpus',
  'memoryBytes',
  'firmware',
  'devices',
  'bootOrder',
  'properties',
  'id',
  'kind',
  'device',
  'controller',
  'slot',
  'image',
  'model',
  'network',
  'mac',
  'address',
  'capacityBytes',
  'pool',
  'ResourceType',
  'HostResource',
  'Connection',
  'InstanceID',
];

describe('definitionFromJson() on random JSON (property-based)', () => {
  it('reads a definition or refuses with MODEL_INVALID; what it reads is judged and written back', () => {
    fc.assert(
      fc.property(
        fc.nat(SEEDS.length - 1),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.oneof(fc.constantFrom(...KEYS), fc.nat({ max: 8 })),
            fc.option(value, { freq: 5 }),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (i, edits) => {
          const doc = structuredClone(SEEDS[i]);
          for (const [n, key, v] of edits) {
            const all = containers(doc);
            const c = all[n % all.length]!;
            const k = Array.isArray(c) ? (typeof key === 'number' ? key : 0) : String(key);
            if (v === null) {
              if (Array.isArray(c)) c.splice(Number(k), 1);
              else delete (c as Record<string, unknown>)[k];
            } else (c as Record<string | number, unknown>)[k] = v;
          }
          let def: ReturnType<typeof definitionFromJson>;
          try {
            def = definitionFromJson(doc);
          } catch (e) {
            if (e instanceof ModelError) return;
            throw e;
          }
          expect(Array.isArray(validateDefinition(def))).toBe(true);
          try {
            assertShapes(def);
          } catch (e) {
            if (!(e instanceof ModelError)) throw e;
          }
          expect(definitionToJson(def)).toBeTypeOf('object');
        },
      ),
      { numRuns: 500, seed: 1205 },
    );
  });
});
