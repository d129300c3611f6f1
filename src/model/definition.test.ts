import { describe, expect, it } from 'vitest';
import { buildDefinition } from './build.js';
import { assertValidDefinition, DEFAULT_LIMITS, normalizeMac, validateDefinition } from './definition.js';
import { ModelError } from './errors.js';
import type { ResourceSetting, VirtualSystemDefinition } from './settings.js';

const base = (): VirtualSystemDefinition =>
  buildDefinition({
    name: 'web1',
    cpus: 1,
    memoryBytes: 256n << 20n,
    disks: ['/images/web1.raw'],
    cdroms: ['/images/env.iso'],
    nics: [{ network: 'user' }],
  });

const rasd = (properties: ResourceSetting['properties']): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties,
});

const errors = (def: VirtualSystemDefinition, limits = DEFAULT_LIMITS) =>
  validateDefinition(def, limits).filter((p) => p.severity === 'error');

describe('validateDefinition()', () => {
  it('accepts what buildDefinition() makes', () => {
    expect(errors(base())).toEqual([]);
  });

  it('rejects zero memory', () => {
    const def = base();
    const mem = def.resources.find((r) => r.properties.ResourceType === '4')!;
    mem.properties.VirtualQuantity = '0';
    expect(errors(def).map((e) => e.message)).toEqual(['Memory must be at least 1 MiB, got 0 bytes']);
  });

  it('rejects a definition without memory or processor', () => {
    const def = base();
    def.resources = def.resources.filter(
      (r) => r.properties.ResourceType !== '4' && r.properties.ResourceType !== '3',
    );
    const codes = errors(def).map((e) => e.code);
    expect(codes).toEqual(['MISSING', 'MISSING']);
  });

  it('rejects more CPUs or memory than the host gives', () => {
    const def = buildDefinition({ name: 'big', cpus: 8, memoryBytes: 64n << 30n });
    const found = errors(def, { ...DEFAULT_LIMITS, cpus: 2, memoryBytes: 4n << 30n });
    expect(found.map((e) => e.code)).toEqual(['BEYOND_HOST', 'BEYOND_HOST']);
    expect(found[0]!.message).toBe('8 virtual CPUs asked; this host gives at most 2');
    expect(found[1]!.message).toBe('64 GiB of memory asked; this host gives at most 4 GiB');
  });

  it('rejects an unknown controller', () => {
    const def = base();
    def.resources.push(rasd({ InstanceID: '99', ResourceType: '20', ResourceSubType: 'floppy-raid' }));
    def.resources.push(rasd({ InstanceID: '98', ResourceType: '7' }));
    const found = errors(def);
    expect(found.map((e) => e.code)).toEqual(['UNSUPPORTED', 'UNSUPPORTED']);
    expect(found[0]!.message).toContain('Unknown controller');
  });

  it('rejects a drive whose Parent is not a controller and two drives at one address', () => {
    const def = base();
    def.resources.push(rasd({ InstanceID: 'd2', ResourceType: '17', HostResource: ['/x.raw'], Parent: '1' }));
    def.resources.push(
      rasd({
        InstanceID: 'd3',
        ResourceType: '17',
        HostResource: ['/y.raw'],
        Parent: '3',
        AddressOnParent: '0',
      }),
    );
    const found = errors(def);
    expect(found.map((e) => e.code)).toEqual(['CONTRADICTORY', 'CONTRADICTORY']);
    expect(found[1]!.message).toContain('both sit at address 0');
  });

  it('rejects an unresolved OVF reference and a disk without image', () => {
    const def = base();
    def.resources.push(rasd({ InstanceID: 'o', ResourceType: '17', HostResource: ['ovf:/disk/vmdisk1'] }));
    def.resources.push(rasd({ InstanceID: 'n', ResourceType: '17' }));
    const found = errors(def);
    expect(found.map((e) => [e.code, e.instanceId])).toEqual([
      ['INVALID_VALUE', 'o'],
      ['MISSING', 'n'],
    ]);
    expect(found[0]!.hint).toContain('deployed');
  });

  it('rejects 10,000 NICs without looking at each', () => {
    const def = base();
    for (let i = 0; i < 10_000; i++) def.resources.push(rasd({ InstanceID: `n${i}`, ResourceType: '10' }));
    const found = errors(def);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe('10001 network adapters; this host attaches at most 28');
  });

  it('rejects bad, multicast and duplicate MAC addresses', () => {
    const def = buildDefinition({
      name: 'n',
      cpus: 1,
      memoryBytes: 1n << 28n,
      nics: [
        { network: 'user', mac: '52:54:00:00:00:01' },
        { network: 'user', mac: '52-54-00-00-00-01' },
        { network: 'user', mac: '01:00:5e:00:00:01' },
        { network: 'user', mac: 'zz:54:00:00:00:01' },
      ],
    });
    expect(errors(def).map((e) => e.code)).toEqual(['CONTRADICTORY', 'INVALID_VALUE', 'INVALID_VALUE']);
  });

  it('rejects duplicate InstanceIDs, a missing name and a name with a slash', () => {
    const def = base();
    def.resources.push(rasd({ InstanceID: '1', ResourceType: '21' }));
    def.system.ElementName = '';
    expect(errors(def).map((e) => e.code)).toEqual(['MISSING', 'CONTRADICTORY']);
    def.system.ElementName = 'a/b';
    expect(errors(def)[0]!.code).toBe('INVALID_VALUE');
  });

  it('accepts sound cards (VMware HD Audio, VirtualBox ResourceType 35) and warns about devices the host ignores', () => {
    const def = base();
    def.resources.push(
      rasd({ InstanceID: 's', ResourceType: '1', ResourceSubType: 'vmware.soundcard.hdaudio' }),
      rasd({ InstanceID: 't', ResourceType: '35', ResourceSubType: 'ensoniq1371' }),
    );
    expect(validateDefinition(def)).toEqual([]);
    def.resources.push(rasd({ InstanceID: 'u', ResourceType: '1', ResourceSubType: 'vmware.vmci' }));
    expect(validateDefinition(def).map((p) => [p.severity, p.code])).toEqual([['warning', 'IGNORED']]);
  });

  it('rejects AddressOnParent out of range for IDE and not a number', () => {
    const def = base();
    const disk = def.resources.find((r) => r.properties.ResourceType === '17')!;
    disk.properties.AddressOnParent = '2';
    expect(errors(def)[0]!.message).toContain('out of range 0..1');
    disk.properties.AddressOnParent = 'first';
    expect(errors(def)[0]!.message).toContain('is not a whole number');
  });
});

describe('assertValidDefinition()', () => {
  it('throws MODEL_INVALID naming the system and each error', () => {
    const def = buildDefinition({ name: 'zero', cpus: 0, memoryBytes: 0n });
    const e = (() => {
      try {
        assertValidDefinition(def);
      } catch (err) {
        return err as ModelError;
      }
      throw new Error('no error');
    })();
    expect(e).toBeInstanceOf(ModelError);
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toBe(
      'Invalid definition "zero": The CPU count "0" must be a whole number of at least 1; Memory must be at least 1 MiB, got 0 bytes',
    );
  });
});

describe('normalizeMac()', () => {
  it('accepts the three usual spellings and refuses others', () => {
    expect(normalizeMac('52:54:00:AB:cd:01')).toBe('52:54:00:ab:cd:01');
    expect(normalizeMac('52-54-00-ab-cd-01')).toBe('52:54:00:ab:cd:01');
    expect(normalizeMac('525400abcd01')).toBe('52:54:00:ab:cd:01');
    expect(normalizeMac('52:54-00:ab:cd:01')).toBeUndefined();
    expect(normalizeMac('52:54:00:ab:cd')).toBeUndefined();
  });
});
