import { describe, expect, it } from 'vitest';
import { ObjectManager } from './object-manager.js';
import { newContext } from './provider.js';
import { ClassRepository } from './repository.js';

const MOF = `
class Test_Base { [Key] string Id; string Note; };
class Test_Child : Test_Base { };
`;
const ctx = () => newContext('t', 'reader');
const path = (className: string, id: string) => ({ className, keys: { Id: id } });

describe('ObjectManager providers', () => {
  it('finds a provider registered after a lookup of the same class', async () => {
    const om = new ObjectManager(ClassRepository.fromMof(MOF, { x: ['Test_Base', 'Test_Child'] }));
    om.register('x', { className: 'Test_Base', enumerate: () => [] });
    await expect(om.getInstance(ctx(), 'x', path('Test_Base', 'a'))).rejects.toMatchObject({
      code: 'CIM_ERR_NOT_FOUND',
    });
    expect(await om.enumerateInstances(ctx(), 'x', 'Test_Base')).toEqual([]);
    om.register('x', {
      className: 'Test_Child',
      enumerate: () => [{ className: 'Test_Child', properties: { Id: 'a', Note: 'later' } }],
    });
    expect((await om.getInstance(ctx(), 'x', path('Test_Base', 'a'))).properties.Note).toBe('later');
    expect((await om.enumerateInstances(ctx(), 'x', 'Test_Base')).map((i) => i.className)).toEqual([
      'Test_Child',
    ]);
  });

  it('serves a subclass added to the namespace after a lookup', async () => {
    const repo = ClassRepository.fromMof(MOF, { x: ['Test_Base'] });
    const om = new ObjectManager(repo);
    om.register('x', { className: 'Test_Base', enumerate: () => [] });
    const ns = repo.namespace('x');
    const before = ns.descendants('Test_Base');
    expect(ns.descendants('Test_Base')).toBe(before);
    expect(await om.enumerateInstances(ctx(), 'x', 'Test_Base')).toEqual([]);
    ns.add(
      ClassRepository.fromMof(MOF, { y: ['Test_Child'] })
        .namespace('y')
        .require('Test_Child'),
    );
    expect(ns.descendants('Test_Base').map((c) => c.name)).toEqual(['Test_Base', 'Test_Child']);
    om.register('x', {
      className: 'Test_Child',
      enumerate: () => [{ className: 'Test_Child', properties: { Id: 'b' } }],
    });
    expect((await om.getInstance(ctx(), 'x', path('TEST_BASE', 'b'))).path).toEqual({
      className: 'Test_Child',
      keys: { Id: 'b' },
      namespace: 'x',
    });
  });
});
