import { describe, expect, it } from 'vitest';
import { describe as describeResource, formatBytes, memoryBytes, unitBytes, vcpus } from './app/format.js';
import { actionsFor } from './app/power.js';
import { filterAndSort } from './app/sort.js';
import type { SystemView } from './app/types.js';

// The browser code's pure helpers, in Node: DSP0004 programmatic units, sizes, what a resource says, and which
// power actions a state offers (and which ask first).

const system = (resources: Array<Record<string, string | string[]>>): SystemView => ({
  uuid: 'u',
  name: 'vm',
  state: 'stopped',
  reason: { code: 'defined', text: 'defined' },
  changedAt: '2026-01-01T00:00:00.000Z',
  definition: { system: {}, resources: resources.map((properties) => ({ properties })) },
});

describe('the UI formats', () => {
  it('reads DSP0004 programmatic units exactly', () => {
    expect(unitBytes('byte * 2^20')).toBe(2 ** 20);
    expect(unitBytes('byte*2^30')).toBe(2 ** 30);
    expect(unitBytes('byte * 10^9')).toBe(1e9);
    expect(unitBytes('MegaBytes')).toBe(2 ** 20);
    expect(unitBytes(undefined)).toBe(1);
    expect(unitBytes('hertz * 10^6')).toBeUndefined();
  });

  it('shows vCPUs and memory from the resources', () => {
    const s = system([
      { ResourceType: '3', VirtualQuantity: '4', AllocationUnits: 'hertz * 10^6' },
      { ResourceType: '4', VirtualQuantity: '2', AllocationUnits: 'byte * 2^30' },
    ]);
    expect(vcpus(s)).toBe(4);
    expect(formatBytes(memoryBytes(s))).toBe('2 GiB');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1.5 GiB');
    expect(vcpus(system([]))).toBeUndefined();
    expect(formatBytes(undefined)).toBe('—');
  });

  it('says what a disk and a NIC are and where they point', () => {
    const disk = describeResource({
      properties: {
        ResourceType: '17',
        ElementName: 'Hard disk 1',
        HostResource: ['/p/a.qcow2'],
        Parent: '3',
        AddressOnParent: '0',
      },
    });
    expect(disk).toEqual({ kind: 'Disk', name: 'Hard disk 1', detail: 'image: /p/a.qcow2 · on: #3 at 0' });
    const nic = describeResource({
      properties: {
        ResourceType: '10',
        ResourceSubType: 'virtio',
        Connection: ['net0'],
        Address: '52:54:00:12:34:56',
      },
    });
    expect(nic.detail).toBe('type: virtio · network: net0 · MAC: 52:54:00:12:34:56');
  });

  it('offers the power actions of a state and asks before those that lose work', () => {
    expect(actionsFor('stopped').map((a) => a.target)).toEqual(['running']);
    const running = actionsFor('running');
    expect(running.map((a) => a.target)).toEqual(['shutdown', 'stopped', 'reboot', 'reset', 'paused']);
    expect(running.filter((a) => a.confirm !== undefined).map((a) => a.target)).toEqual(['stopped', 'reset']);
    expect(actionsFor('paused').map((a) => a.label)).toEqual(['Resume', 'Power off']);
  });
});

describe('filterAndSort()', () => {
  const vm = (name: string, state: string, cpus: string) => ({
    ...system([{ ResourceType: '3', VirtualQuantity: cpus }]),
    uuid: name,
    name,
    state,
  });
  const list = [vm('web2', 'running', '2'), vm('db', 'stopped', '8'), vm('web1', 'stopped', '2')];

  it('filters by name or state and orders by the key, then by name', () => {
    const names = (key: Parameters<typeof filterAndSort>[2], f = '') =>
      filterAndSort(list, f, key).map((s) => s.name);
    expect(names('name')).toEqual(['db', 'web1', 'web2']);
    expect(names('vcpus')).toEqual(['db', 'web1', 'web2']);
    expect(names('state')).toEqual(['web2', 'db', 'web1']);
    expect(names('name', 'WEB')).toEqual(['web1', 'web2']);
    expect(names('name', 'running')).toEqual(['web2']);
  });
});
