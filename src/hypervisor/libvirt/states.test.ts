import { describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import { definitionOf, domainXml } from './domain-xml.js';
import { domainState, lifecycleEvent } from './states.js';

describe('libvirt states, events and domain XML', () => {
  it("names states and reasons in Vessel's words", () => {
    expect(domainState(1, 1)).toEqual({ state: 'running', reason: 'booted' });
    expect(domainState(3, 1)).toEqual({ state: 'paused', reason: 'paused by the user' });
    expect(domainState(5, 1)).toEqual({ state: 'stopped', reason: 'guest powered off' });
    expect(domainState(5, 2)).toEqual({ state: 'stopped', reason: 'powered off' });
    expect(domainState(5, 0)).toEqual({ state: 'stopped', reason: 'shut off' });
    expect(domainState(99, 0)).toEqual({ state: 'stopped', reason: 'state 99' });
  });

  it('reads lifecycle events: the state they leave, and whether the guest caused them', () => {
    expect(lifecycleEvent(2, 0)).toEqual({ state: 'running', reason: 'booted', guest: false });
    expect(lifecycleEvent(5, 0)).toEqual({ state: 'stopped', reason: 'guest powered off', guest: true });
    expect(lifecycleEvent(0, 0)).toEqual({ reason: 'added', guest: false });
  });

  it('writes a definition as domain XML of the given type and reads it back', () => {
    const def = buildDefinition({
      name: 'w',
      cpus: 2,
      memoryBytes: 256n << 20n,
      disks: ['/srv/w.qcow2'],
      nics: [{ network: 'user' }],
    });
    const { xml } = domainXml(def, 'test');
    expect(xml).toMatch(/^<domain type="test">/);
    expect(xml).toContain('<interface type="user">');
    const back = definitionOf(xml);
    expect(back.system.ElementName).toBe('w');
    expect(back.resources.some((r) => r.properties.HostResource?.[0] === '/srv/w.qcow2')).toBe(true);
    expect(domainXml(def, 'qemu').xml).toMatch(/^<domain type="qemu">/);
  });
});
