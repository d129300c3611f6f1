import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusCases } from '../../../test/helpers/corpus.js';
import {
  buildDefinition,
  DEFAULT_LIMITS,
  PROPERTIES,
  readDevices,
  type VirtualSystemDefinition,
  validateDefinition,
} from '../../model/index.js';
import { definitionFromOvf, OvfError, parseOvf } from '../../ovf/index.js';
import { HypervisorError } from '../errors.js';
import { mapQemuHardware } from './map.js';
import { validateForQemu } from './validate.js';

// Definitions from any client are judged, never thrown on: the model's checks, the QEMU driver's mapping of a
// package's hardware and its validate (which builds the command line with stand-in files) answer findings for
// whatever values and shapes a definition has. A definition starts from one the model builds or one a corpus
// package gives, and has properties set to edge values, removed, or resources repeated and dropped.

const BUILT: VirtualSystemDefinition[] = [
  buildDefinition({
    name: 'a',
    cpus: 2,
    memoryBytes: 256n << 20n,
    disks: ['/images/a.qcow2'],
    nics: [{ network: 'user' }],
  }),
  buildDefinition({
    name: 'b',
    cpus: 1,
    memoryBytes: 64n << 20n,
    disks: ['/images/a.qcow2', { capacityBytes: 1n << 30n }],
    diskBus: 'scsi',
    cdroms: ['/images/x.iso'],
    nics: [{ network: 'user', model: 'e1000' }],
  }),
  buildDefinition({
    name: 'c',
    cpus: 1,
    memoryBytes: 64n << 20n,
    disks: ['/images/a.qcow2'],
    diskBus: 'nvme',
  }),
  buildDefinition({
    name: 'd',
    cpus: 1,
    memoryBytes: 64n << 20n,
    disks: ['/images/a.qcow2'],
    diskBus: 'sata',
  }),
];

/** Definitions of the positive corpus packages, as a deploy reads them. */
const FROM_CORPUS: VirtualSystemDefinition[] = corpusCases()
  .filter((c) => c.expect === 'positive')
  .slice(0, 40)
  .flatMap((c) => {
    try {
      return [definitionFromOvf(parseOvf(readFileSync(c.path))).definition];
    } catch (e) {
      if (e instanceof OvfError) return [];
      throw e;
    }
  });
const SEEDS = [...BUILT, ...FROM_CORPUS];

/** The properties the model and the driver read, more often than the others of the schema. */
const READ = [
  'ResourceType',
  'ResourceSubType',
  'OtherResourceType',
  'VirtualQuantity',
  'VirtualQuantityUnits',
  'AllocationUnits',
  'Reservation',
  'Limit',
  'Parent',
  'AddressOnParent',
  'Address',
  'HostResource',
  'Connection',
  'InstanceID',
  'PoolID',
  'ElementName',
  'AutomaticAllocation',
  'MappingBehavior',
  'Firmware',
  'BootOrder',
  'DiskMode',
  'VirtualSystemType',
  'VirtualSystemIdentifier',
];
const NAME = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...READ) },
  { weight: 1, arbitrary: fc.constantFrom(...new Set(PROPERTIES.map((p) => p.name)), 'Acme_Extra') },
);

/** Values on the edges: types, subtypes and units of other devices, numbers out of range, paths, nothing. */
const nasty = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '1',
    '-1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '10',
    '14',
    '15',
    '16',
    '17',
    '20',
    '21',
    '24',
    '31',
    '33',
    '35',
    '65535',
    '65536',
    '4294967296',
    '18446744073709551616',
    '9'.repeat(60),
    'virtio',
    'lsilogic',
    'buslogic',
    'ahci',
    'nvme',
    'PIIX4',
    'e1000',
    'vmxnet3',
    'VirtualSCSI',
    'byte * 2^20',
    'byte*2^999',
    'MegaBytes',
    'count',
    'hertz * 10^6',
    '/images/a.qcow2',
    'ovf:/disk/vmdisk1',
    'file:///etc/passwd',
    '../../etc/shadow',
    'user',
    'efi',
    'bios',
    'direct',
    'true',
    'false',
    '\u0000',
    '😀',
  ),
  fc.string({ maxLength: 8 }),
);

type Edit =
  | { kind: 'set'; at: number; name: string; value: string | string[] }
  | { kind: 'delete'; at: number; name: string }
  | { kind: 'repeat'; at: number }
  | { kind: 'drop'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    name: NAME,
    value: fc.oneof(nasty, fc.array(nasty, { maxLength: 3 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), name: NAME }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
);

/** `edits` applied to a copy of `seed`; `at` picks the system (0) or a resource. */
function edited(seed: VirtualSystemDefinition, edits: readonly Edit[]): VirtualSystemDefinition {
  const def = structuredClone(seed);
  for (const e of edits) {
    const n = def.resources.length + 1;
    const at = e.at % n;
    const props = (at === 0 ? def.system : def.resources[at - 1]!.properties) as Record<string, unknown>;
    if (e.kind === 'set') props[e.name] = e.value;
    else if (e.kind === 'delete') delete props[e.name];
    else if (at > 0 && e.kind === 'repeat') def.resources.push(structuredClone(def.resources[at - 1]!));
    else if (at > 0 && e.kind === 'drop') def.resources.splice(at - 1, 1);
  }
  return def;
}

/** The QEMU driver's checks of a definition: findings, or the error that says which one broke. */
function judged(def: VirtualSystemDefinition): void {
  expect(Array.isArray(validateDefinition(def))).toBe(true);
  const view = readDevices(def);
  expect(Array.isArray(view.findings)).toBe(true);
  for (const purpose of ['deploy', 'define'] as const) {
    const found = validateForQemu(def, purpose, { limits: DEFAULT_LIMITS, networks: new Map() });
    expect(found.every((d) => typeof d.code === 'string' && typeof d.message === 'string')).toBe(true);
  }
  try {
    const mapped = mapQemuHardware(def.resources, { optional: (id) => id.length % 2 === 0, lax: true });
    expect(Array.isArray(mapped.resources)).toBe(true);
  } catch (e) {
    // The mapping refuses what it cannot map with the driver's own error.
    if (!(e instanceof HypervisorError)) throw e;
  }
}

describe('the model and the QEMU driver on random definitions (property-based)', () => {
  it('has seeds: definitions the model builds and those of the corpus packages', () => {
    expect(FROM_CORPUS.length).toBeGreaterThan(10);
    for (const def of BUILT)
      expect(validateDefinition(def).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('answers findings, never an exception, whatever the values, shapes and resources', () => {
    fc.assert(
      fc.property(fc.nat(SEEDS.length - 1), fc.array(edit, { minLength: 1, maxLength: 6 }), (i, edits) => {
        judged(edited(SEEDS[i]!, edits));
      }),
      { numRuns: 400, seed: 1205 },
    );
  });
});
