import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/index.js';
import { buildDefinition } from '../model/index.js';
import { addResources, editSettings, modifyResources, removeResources } from './edit.js';

const base = () =>
  buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 64n << 20n, nics: [{ network: 'user' }] });
const nic = (id?: string) => ({
  cimClass: 'CIM_EthernetPortAllocationSettingData' as const,
  properties: { ResourceType: '10', Connection: ['user'], ...(id === undefined ? {} : { InstanceID: id }) },
});
const ids = (d: ReturnType<typeof base>) => d.resources.map((r) => String(r.properties.InstanceID));

describe('definition edits', () => {
  it('merges settings and refuses a change of the identifier, leaving the input as it was', () => {
    const def = base();
    def.system.VirtualSystemIdentifier = '6b29fc40-ca47-1067-b31d-00dd010662da';
    const before = structuredClone(def);
    expect(editSettings(def, { Description: 'x' }).def.system).toMatchObject({
      Description: 'x',
      ElementName: 'web1',
    });
    expect(() =>
      editSettings(def, { VirtualSystemIdentifier: '00000000-0000-0000-0000-000000000000' }),
    ).toThrow(ApiError);
    expect(
      editSettings(def, { VirtualSystemIdentifier: '6B29FC40-CA47-1067-B31D-00DD010662DA' }).def,
    ).toBeDefined();
    expect(def).toEqual(before);
  });

  it('gives added resources the next free InstanceIDs and refuses a taken one', () => {
    const def = base();
    const max = Math.max(...ids(def).map(Number));
    const added = addResources(def, [nic(), nic(), nic('custom')]);
    expect(added.instanceIds).toEqual([String(max + 1), String(max + 2), 'custom']);
    expect(ids(added.def)).toEqual([...ids(def), ...added.instanceIds]);
    const taken = ids(def)[0]!;
    expect(() => addResources(def, [nic(taken)])).toThrow(`The InstanceID "${taken}" is taken in "web1"`);
  });

  it('changes and removes resources by InstanceID, all or nothing: one unknown id is NOT_FOUND', () => {
    const def = base();
    const [first, second] = ids(def);
    const changed = modifyResources(def, [{ instanceId: first!, properties: { ElementName: 'renamed' } }]);
    expect(changed.def.resources[0]!.properties).toMatchObject({ ElementName: 'renamed', InstanceID: first });
    expect(() => modifyResources(def, [{ instanceId: 'nope', properties: {} }])).toThrow(
      /has no resource "nope"/,
    );
    const removed = removeResources(def, [second!]);
    expect(ids(removed.def)).not.toContain(second);
    let e: unknown;
    try {
      removeResources(def, [second!, 'gone']);
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: '"web1" has no resource "gone"' });
    expect(ids(def)).toContain(second);
  });
});
