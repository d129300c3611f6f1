import { describe, expect, it } from 'vitest';
import { buildDefinition } from './build.js';
import { ModelError } from './errors.js';
import type { VirtualSystemDefinition } from './settings.js';
import { assertShapes, shapeProblems, withListShapes } from './shapes.js';
import { validateDefinition } from './validate.js';

const base = () =>
  buildDefinition({
    name: 'web1',
    cpus: 1,
    memoryBytes: 64n << 20n,
    disks: ['/images/a.qcow2'],
    nics: [{ network: 'lan' }],
  });
const indexOfType = (def: VirtualSystemDefinition, type: string) =>
  def.resources.findIndex((r) => r.properties.ResourceType === type);

function refusal(fn: () => unknown): ModelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ModelError) return e;
    throw e;
  }
  throw new Error('expected a ModelError');
}

describe('property shapes (the schema says which properties are lists)', () => {
  it('finds nothing in a definition the model builds', () => {
    expect(shapeProblems(base())).toEqual([]);
    expect(withListShapes(base())).toEqual(base());
  });

  it('refuses a list for each single-valued property, pointing at it, and validateDefinition says only that', () => {
    const def = base();
    const mem = indexOfType(def, '4');
    (def.resources[mem]!.properties as Record<string, unknown>).ResourceType = ['4', '6'];
    (def.system as Record<string, unknown>).ElementName = ['a', 'b'];
    (def.resources[0]!.properties as Record<string, unknown>).InstanceID = [];
    const problems = shapeProblems(def);
    expect(problems.map((p) => [p.pointer, p.message])).toEqual([
      ['/system/ElementName', "The system's ElementName takes one value, got a list of 2"],
      ['/resources/0/properties/InstanceID', 'Resource 1: InstanceID takes one value, got a list of 0'],
      [
        `/resources/${mem}/properties/ResourceType`,
        `Resource ${mem + 1}: ResourceType takes one value, got a list of 2`,
      ],
    ]);
    expect(problems.every((p) => p.severity === 'error' && p.code === 'INVALID_VALUE')).toBe(true);
    // The other checks read values in the schema's shapes: they are not run (and cannot throw) on these.
    expect(validateDefinition(def)).toEqual(problems);
    const e = refusal(() => assertShapes(def));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toMatch(/^Invalid definition "\(unnamed\)": The system's ElementName takes one value/);
    expect(e.fields?.map((f) => f.pointer)).toEqual(problems.map((p) => p.pointer));
  });

  it('refuses values that are not text, and escapes the pointer of an odd name (RFC 6901)', () => {
    const def = base();
    const props = def.resources[0]!.properties as Record<string, unknown>;
    props.VirtualQuantity = 2;
    props.HostResource = [1];
    props['a/b~c'] = { x: 1 };
    expect(shapeProblems(def).map((p) => [p.pointer, p.message])).toEqual([
      ['/resources/0/properties/VirtualQuantity', 'Resource 1: VirtualQuantity must be text, got a number'],
      [
        '/resources/0/properties/HostResource',
        'Resource 1: HostResource must be text or a list of texts, got a list of 1',
      ],
      ['/resources/0/properties/a~1b~0c', 'Resource 1: a/b~c must be text, got an object'],
    ]);
  });

  it('makes a list property given as one value a list of one, and keeps vendor properties as they are', () => {
    const def = base();
    const disk = indexOfType(def, '17');
    const nic = indexOfType(def, '10');
    (def.resources[disk]!.properties as Record<string, unknown>).HostResource = '/images/a.qcow2';
    (def.resources[nic]!.properties as Record<string, unknown>).Connection = 'lan';
    (def.system as Record<string, unknown>).BootOrder = '1';
    (def.system as Record<string, unknown>).Acme_Tags = ['x', 'y'];
    const shaped = assertShapes(def);
    expect(shaped.resources[disk]?.properties.HostResource).toEqual(['/images/a.qcow2']);
    expect(shaped.resources[nic]?.properties.Connection).toEqual(['lan']);
    expect(shaped.system.BootOrder).toEqual(['1']);
    expect(shaped.system.Acme_Tags).toEqual(['x', 'y']);
    // The given definition is not changed, and resources that needed nothing are the same objects.
    expect(def.resources[disk]?.properties.HostResource).toBe('/images/a.qcow2');
    expect(shaped.resources[0]).toBe(def.resources[0]);
    const fine = base();
    expect(assertShapes(fine)).toBe(fine);
  });
});
