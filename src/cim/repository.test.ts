import { describe, expect, it } from 'vitest';
import { createClassRepository } from './classes/index.js';
import { CimNamespace } from './repository.js';

describe('class repository lookups', () => {
  it('finds a class by its own spelling and by any other case, and nothing for a name it lacks', () => {
    const ns = createClassRepository().namespace('root/virtualization');
    const cls = ns.get('CIM_ComputerSystem');
    expect(cls?.name).toBe('CIM_ComputerSystem');
    for (const spelled of ['cim_computersystem', 'CIM_COMPUTERSYSTEM', 'Cim_ComputerSystem'])
      expect(ns.get(spelled)).toBe(cls);
    expect(ns.get('CIM_ComputerSystemX')).toBeUndefined();
    expect(ns.get('')).toBeUndefined();
  });

  it('a class added again under another case replaces the first, whichever spelling asks', () => {
    const repo = createClassRepository();
    const base = repo.namespace('root/virtualization').require('CIM_ManagedElement');
    const ns = new CimNamespace('test');
    ns.add({ ...base, name: 'Foo_Thing' });
    const second = { ...base, name: 'FOO_THING' };
    ns.add(second);
    expect(ns.get('Foo_Thing')).toBe(second);
    expect(ns.get('FOO_THING')).toBe(second);
    expect(ns.get('foo_thing')).toBe(second);
  });

  it('finds namespaces and aliases in any case', () => {
    const repo = createClassRepository();
    const virt = repo.findNamespace('root/virtualization');
    expect(virt?.name).toBe('root/virtualization');
    expect(repo.findNamespace('ROOT/Virtualization')).toBe(virt);
    expect(repo.findNamespace('root/nothing')).toBeUndefined();
    expect(repo.findNamespace('Interop')?.name).toBe(repo.findNamespace('root/interop')?.name);
  });
});
