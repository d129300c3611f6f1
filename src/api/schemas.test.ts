import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { type Capabilities, CapabilitiesSchema } from './capabilities.js';
import { ApiEventSchema } from './events.js';
import { HostInfoSchema } from './host.js';
import { METHODS } from './methods.js';
import { NetworkInfoSchema } from './networks.js';
import { ExportOptionsSchema } from './packages.js';
import { PoolInfoSchema, PoolSpecSchema } from './pools.js';
import { PrincipalSchema } from './principal.js';
import {
  SystemDetailSchema,
  type SystemStats,
  SystemStatsSchema,
  SystemSummarySchema,
} from './systems-data.js';

const T = '2026-12-02T13:42:00.000Z';
/** Encodes as a transport would, through JSON text, and decodes on the other side. */
const overTheWire = <S extends TSchema>(s: S, v: unknown) =>
  Value.Decode(s, JSON.parse(JSON.stringify(Value.Encode(s, v))));
const summary = {
  uuid: 'u1',
  name: 'web1',
  state: 'running',
  reason: { code: 'booted', text: 'booted' },
  changedAt: T,
};

describe('system schemas', () => {
  it('carry a summary and a detail, and refuse states and reasons outside the vocabulary', () => {
    expect(Value.Check(SystemSummarySchema, { ...summary, requested: 'start' })).toBe(true);
    expect(Value.Check(SystemSummarySchema, { ...summary, state: 'on' })).toBe(false);
    expect(Value.Check(SystemSummarySchema, { ...summary, reason: { code: 'bored', text: '' } })).toBe(false);
    expect(Value.Check(SystemSummarySchema, { ...summary, requested: 'stop' })).toBe(false);
    const detail = {
      ...summary,
      definition: { system: {}, resources: [] },
      etag: 'e1',
      consoles: ['serial'],
    };
    expect(Value.Check(SystemDetailSchema, detail)).toBe(true);
    expect(Value.Check(SystemDetailSchema, { ...detail, consoles: ['spice'] })).toBe(false);
    expect(Value.Check(SystemDetailSchema, { ...detail, display: { protocol: 'vnc' } })).toBe(true);
    expect(Value.Check(SystemDetailSchema, { ...detail, display: { protocol: 'spice' } })).toBe(false);
  });

  it('carry 64-bit counters exactly', () => {
    const stats: SystemStats = {
      cpuTimeNs: 18_000_000_000_000_000_001n,
      memoryBytes: 1n << 40n,
      disks: [{ instanceId: '4', readBytes: 1n, writeBytes: 2n, readOps: 3n, writeOps: 4n }],
      nics: [],
      uptimeMs: 5,
    };
    expect(overTheWire(SystemStatsSchema, stats)).toEqual(stats);
  });
});

describe('event schema', () => {
  it('carries each kind of event and refuses unknown types', () => {
    const state = {
      seq: 7,
      time: T,
      type: 'system.state',
      system: 'web1',
      uuid: 'u1',
      state: 'stopped',
      reason: { code: 'shutdown', text: 'guest powered off' },
      cause: { kind: 'api', job: 'j1', user: 'alice' },
    };
    expect(Value.Check(ApiEventSchema, state)).toBe(true);
    expect(Value.Check(ApiEventSchema, { ...state, cause: { kind: 'martians' } })).toBe(false);
    expect(Value.Check(ApiEventSchema, { ...state, seq: 0 })).toBe(false);
    expect(
      Value.Check(ApiEventSchema, { seq: 8, time: T, type: 'system.defined', system: 'web1', uuid: 'u1' }),
    ).toBe(true);
    expect(Value.Check(ApiEventSchema, { seq: 8, time: T, type: 'system.exploded', uuid: 'u1' })).toBe(false);
    const job = {
      id: 'j1',
      operation: 'start',
      owner: 'a',
      state: 'running',
      percent: 5,
      createdAt: T,
      deleteOnCompletion: false,
    };
    expect(Value.Check(ApiEventSchema, { seq: 9, time: T, type: 'job.progress', job })).toBe(true);
  });
});

describe('host schemas', () => {
  const caps: Capabilities = {
    driver: { uri: 'test:///default', name: 'test', ownsInventory: false },
    accelerators: [{ name: 'tcg', usable: true, reason: 'always' }],
    machineTypes: [{ name: 'q35', isDefault: true, virtualSystemTypes: ['vessel-qemu'] }],
    firmware: ['bios', 'efi'],
    devices: {
      controllers: [{ kind: 'ahci', maxSlots: 6, hotplug: false }],
      nicModels: ['virtio'],
      driveKinds: ['disk', 'cdrom'],
      consoles: ['serial'],
    },
    limits: { cpus: 255, memoryBytes: 1n << 40n, nics: 28, disks: 64 },
    operations: ['start', 'shutdown', 'powerOff'],
    features: {
      hotplug: { disk: true, nic: true, memory: false },
      snapshots: false,
      migration: false,
      deploy: true,
      export: true,
      events: true,
      stats: true,
      users: true,
      consoles: true,
      screenshot: true,
      metadata: true,
      keepDisks: true,
      pools: 'manage',
      networks: 'read',
    },
  };

  it('carry capabilities with their bigint limits, and refuse unknown operations', () => {
    expect(overTheWire(CapabilitiesSchema, caps)).toEqual(caps);
    expect(
      Value.Check(CapabilitiesSchema, { ...Value.Encode(CapabilitiesSchema, caps), operations: ['fly'] }),
    ).toBe(false);
  });

  it('carry host info, principals and pools', () => {
    const info = {
      name: 'h1',
      vesselVersion: '0.1.0',
      startedAt: T,
      systemCount: 0,
      transport: 'socket',
      driver: { uri: 'qemu:///embed', name: 'qemu' },
    };
    expect(Value.Check(HostInfoSchema, info)).toBe(true);
    expect(Value.Check(HostInfoSchema, { ...info, transport: 'carrier-pigeon' })).toBe(false);
    expect(Value.Check(PrincipalSchema, { user: 'local', role: 'admin', local: true, via: 'socket' })).toBe(
      true,
    );
    expect(Value.Check(PrincipalSchema, { user: 'local', role: 'root', local: true, via: 'socket' })).toBe(
      false,
    );
    const pool = {
      id: 'images',
      isDefault: true,
      available: true,
      capacityBytes: 10n,
      usedBytes: 5n,
      allowDevices: false,
    };
    expect(overTheWire(PoolInfoSchema, pool)).toEqual(pool);
  });
});

describe('input schemas', () => {
  it('refuse pool specs with relative folders, bad names or unknown keys', () => {
    expect(Value.Check(PoolSpecSchema, { id: 'images', path: '/srv/images' })).toBe(true);
    expect(Value.Check(PoolSpecSchema, { id: 'images', path: 'srv/images' })).toBe(false);
    expect(Value.Check(PoolSpecSchema, { id: '-images', path: '/srv' })).toBe(false);
    expect(Value.Check(PoolSpecSchema, { id: 'images', path: '/srv', owner: 'root' })).toBe(false);
    expect(Value.Check(METHODS['pools.deleteImage'].params, { id: 'images', name: 'a.qcow2' })).toBe(true);
    for (const name of ['..', '.', 'a/b', 'a\u0000b', '']) {
      expect(Value.Check(METHODS['pools.deleteImage'].params, { id: 'images', name }), name).toBe(false);
    }
  });

  it('refuse networks with bridge names Linux would not take, or options of another mode', () => {
    expect(Value.Check(NetworkInfoSchema, { name: 'lan', mode: 'bridge', bridge: 'br0' })).toBe(true);
    expect(
      Value.Check(NetworkInfoSchema, { name: 'lan', mode: 'bridge', bridge: 'a-very-long-bridge0' }),
    ).toBe(false);
    expect(Value.Check(NetworkInfoSchema, { name: 'lan', mode: 'none', bridge: 'br0' })).toBe(false);
    expect(
      Value.Check(NetworkInfoSchema, { name: 'nat', mode: 'user', hostForwards: ['tcp::2222-:22'] }),
    ).toBe(true);
  });

  it('refuse export options outside their enumerations', () => {
    const o = { destination: { kind: 'artifact' }, format: 'ova' };
    expect(Value.Check(ExportOptionsSchema, o)).toBe(true);
    expect(Value.Check(ExportOptionsSchema, { ...o, format: 'zip' })).toBe(false);
    expect(Value.Check(ExportOptionsSchema, { ...o, manifest: 'md5' })).toBe(false);
    expect(Value.Check(ExportOptionsSchema, { ...o, level: 10 })).toBe(false);
    expect(
      Value.Check(ExportOptionsSchema, { ...o, destination: { kind: 'hostPath', path: 'out.ova' } }),
    ).toBe(false);
  });
});
