import { describe, expect, it } from 'vitest';
import { freezeProperties, isFrozenSet, KeptInstances } from './frozen.js';
import type { CimInstance } from './types.js';

describe('KeptInstances', () => {
  const build = (calls: string[], name: string, state: string) => (): CimInstance => {
    calls.push(`${name}:${state}`);
    return { className: 'X_System', properties: { Name: name, States: [state] } };
  };

  it('answers the same frozen set while what it is made of is the same, in a new instance each time', () => {
    const kept = new KeptInstances(8);
    const calls: string[] = [];
    const a = kept.get('u1', ['vm1', 'stopped'], build(calls, 'vm1', '3'));
    const b = kept.get('u1', ['vm1', 'stopped'], build(calls, 'vm1', '3'));
    expect(calls).toEqual(['vm1:3']);
    expect(b.properties).toBe(a.properties);
    expect(b).not.toBe(a);
    // The object manager's path is each answer's own.
    a.path = { className: 'X_System', keys: { Name: 'vm1' } };
    expect(b.path).toBeUndefined();
    expect(isFrozenSet(a.properties)).toBe(true);
    expect(() => {
      (a.properties as Record<string, unknown>).Name = 'other';
    }).toThrow(TypeError);
    expect(() => (a.properties.States as string[]).push('2')).toThrow(TypeError);
  });

  it('builds again when any value differs, and forgets everything once full', () => {
    const kept = new KeptInstances(2);
    const calls: string[] = [];
    const a = kept.get('u1', ['vm1', 'stopped'], build(calls, 'vm1', '3'));
    const b = kept.get('u1', ['vm1', 'running'], build(calls, 'vm1', '2'));
    expect(b.properties).not.toBe(a.properties);
    expect(b.properties.States).toEqual(['2']);
    // Fewer or more values is a difference too.
    kept.get('u1', ['vm1'], build(calls, 'vm1', '2'));
    kept.get('u2', ['vm2'], build(calls, 'vm2', '3'));
    kept.get('u3', ['vm3'], build(calls, 'vm3', '3'));
    kept.get('u1', ['vm1'], build(calls, 'vm1', '2'));
    expect(calls).toEqual(['vm1:3', 'vm1:2', 'vm1:2', 'vm2:3', 'vm3:3', 'vm1:2']);
  });
});

describe('freezeProperties()', () => {
  it('freezes the set and its arrays, not the instances it refers to', () => {
    const ref = { className: 'X', keys: { Name: 'x' } };
    const p = freezeProperties({ A: ['1'], B: 'b', R: ref });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.A)).toBe(true);
    expect(Object.isFrozen(ref)).toBe(false);
    expect(isFrozenSet({ A: '1' })).toBe(false);
  });
});
