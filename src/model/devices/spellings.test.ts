import { describe, expect, it } from 'vitest';
import type { ResourceSetting } from '../settings.js';
import { classifyResource } from './classify.js';
import {
  CONTROLLER_SPELLINGS,
  NIC_SPELLINGS,
  PRODUCERS,
  type Producer,
  type Spelling,
  SUBSTITUTES,
  spell,
} from './spellings.js';
import {
  CONTROLLER_KINDS,
  type ControllerKind,
  isControllerKind,
  NIC_MODELS,
  type NicModel,
} from './vocabulary.js';

const rasdOf = (s: Spelling): ResourceSetting => ({
  cimClass: 'CIM_ResourceAllocationSettingData',
  properties: {
    ResourceType: String(s.resourceType),
    ...(s.subType === undefined ? {} : { ResourceSubType: s.subType }),
    ...(s.otherResourceType === undefined ? {} : { OtherResourceType: s.otherResourceType }),
    ...(s.model === undefined ? {} : { Model: s.model }),
  },
});

const rows = <K extends string>(table: Readonly<Record<K, readonly Spelling[]>>) =>
  (Object.entries(table) as [K, readonly Spelling[]][]).flatMap(([k, list]) =>
    list.map((s) => [k, s] as const),
  );

describe('the spelling table', () => {
  it.each(rows(CONTROLLER_SPELLINGS).map(([k, s]) => [k, s.resourceType, s.subType ?? '', s.model ?? '', s]))(
    'reads %s from RT %s %j (Model %j)',
    (kind, _rt, _sub, _model, s) => {
      const c = classifyResource(rasdOf(s));
      expect(c).toMatchObject({ device: 'controller', kinds: [kind] });
      expect(c.device === 'controller' && c.certainty).not.toBe('guessed');
    },
  );

  it.each(rows(NIC_SPELLINGS).map(([m, s]) => [m, s.subType ?? '', s]))(
    'reads NIC %s from %j',
    (model, _sub, s) => {
      expect(classifyResource(rasdOf(s))).toEqual({ device: 'nic', models: [model], certainty: 'named' });
    },
  );

  it('gives no word two meanings under one ResourceType', () => {
    const seen = new Map<string, string>();
    for (const [kind, s] of [...rows(CONTROLLER_SPELLINGS), ...rows(NIC_SPELLINGS)]) {
      if (s.subType === undefined) continue;
      const key = [s.resourceType, s.otherResourceType ?? '', s.subType.toLowerCase(), s.model ?? ''].join(
        '|',
      );
      expect(seen.get(key) ?? kind, key).toBe(kind);
      seen.set(key, kind);
    }
  });

  it('lists Vessel for every kind and model, each once and writable', () => {
    for (const k of [...CONTROLLER_KINDS, ...NIC_MODELS]) {
      expect(spell(k, 'vessel'), k).toBeDefined();
    }
  });

  it('spells what producers write', () => {
    expect(spell('virtio-scsi', 'vessel')).toEqual({ ResourceType: '6', ResourceSubType: 'virtio-scsi' });
    expect(spell('virtio-scsi', 'virtualbox')).toEqual({ ResourceType: '20', ResourceSubType: 'VirtioSCSI' });
    expect(spell('virtio-blk', 'vessel')).toEqual({ ResourceType: '20', ResourceSubType: 'virtio' });
    expect(spell('pvscsi', 'vmware')).toEqual({ ResourceType: '6', ResourceSubType: 'VirtualSCSI' });
    expect(spell('ide', 'vmware')).toEqual({ ResourceType: '5' });
    expect(spell('ahci', 'vmware')).toEqual({ ResourceType: '20', ResourceSubType: 'vmware.sata.ahci' });
    expect(spell('lsisas', 'virtualbox')).toEqual({ ResourceType: '6', ResourceSubType: 'lsilogicsas' });
    expect(spell('megasas', 'libvirt-cim')).toEqual({
      ResourceType: '1',
      OtherResourceType: 'controller',
      ResourceSubType: 'scsi',
      Model: 'lsisas1078',
    });
    expect(spell('e1000', 'libvirt-cim')).toEqual({ ResourceType: '10', ResourceSubType: 'e1000' });
    expect(spell('virtio', 'ovirt')).toEqual({ ResourceType: '10', ResourceSubType: '3' });
    expect(spell('hyperv-scsi', 'hyperv')).toEqual({
      ResourceType: '6',
      ResourceSubType: 'Microsoft:Hyper-V:Synthetic SCSI Controller',
    });
    // Read-only aliases are never written, and a producer without the device has no spelling.
    expect(spell('virtio-scsi', 'cot')).toBeUndefined();
    expect(spell('virtio-blk', 'vmware')).toBeUndefined();
    expect(spell('pvscsi', 'virtualbox')).toBeUndefined();
  });

  it('reads back every spelling it writes, for every producer', () => {
    for (const p of PRODUCERS) {
      for (const k of [...CONTROLLER_KINDS, ...NIC_MODELS]) {
        const s = spell(k, p);
        if (s === undefined) continue;
        const c = classifyResource({ cimClass: 'CIM_ResourceAllocationSettingData', properties: s });
        const got = c.device === 'controller' ? c.kinds : c.device === 'nic' ? c.models : [];
        expect(got, `${k} for ${p}`).toEqual([k]);
      }
    }
  });
});

describe('SUBSTITUTES', () => {
  const has = (p: Producer, k: ControllerKind | NicModel) => spell(k, p) !== undefined;

  it.each(['vmware', 'virtualbox', 'kubevirt'] as const)(
    'leaves %s nothing it cannot write, and substitutes only for what it lacks',
    (p) => {
      const subs = SUBSTITUTES[p] ?? {};
      for (const k of [...CONTROLLER_KINDS, ...NIC_MODELS]) {
        const instead = subs[k];
        if (has(p, k)) expect(instead, `${p} has ${k}`).toBeUndefined();
        else {
          expect(instead, `${p} lacks ${k}`).toBeDefined();
          expect(has(p, instead!), `${p}: ${k} -> ${instead}`).toBe(true);
          // A controller stays a controller, a NIC a NIC.
          expect(isControllerKind(instead!)).toBe(isControllerKind(k));
        }
      }
    },
  );

  it('holds the lead’s decisions: VMware takes virtio storage as PVSCSI, VirtualBox virtio-blk as VirtioSCSI', () => {
    expect(SUBSTITUTES.vmware?.['virtio-blk']).toBe('pvscsi');
    expect(SUBSTITUTES.vmware?.['virtio-scsi']).toBe('pvscsi');
    expect(SUBSTITUTES.virtualbox?.['virtio-blk']).toBe('virtio-scsi');
    expect(spell(SUBSTITUTES.virtualbox!['virtio-blk']!, 'virtualbox')?.ResourceSubType).toBe('VirtioSCSI');
  });
});
