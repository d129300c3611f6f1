import { type StaticDecode, Type } from '@sinclair/typebox';
import { CONSOLE_KINDS } from './capabilities.js';
import { JobOptionsSchema } from './common.js';
import { RasdPropertiesSchema, VirtualSystemDefinitionSchema } from './model-schemas.js';
import { StateOperationSchema } from './operations.js';
import { MAX_WAIT_MS, oneOf, Strict, Timestamp, Uint64 } from './schema.js';
import { StateReasonSchema, SystemStateSchema } from './state.js';

/** The data the systems namespace answers with and takes (schemas and their types). */

/** Wire schema of {@link SystemSummary}. */
export const SystemSummarySchema = Type.Object({
  uuid: Type.String({ maxLength: 64 }),
  name: Type.String({ maxLength: 128 }),
  state: SystemStateSchema,
  reason: StateReasonSchema,
  /** When the state last changed. */
  changedAt: Timestamp,
  /** The last change asked (CIM RequestedState; 12 Not Applicable when undefined). */
  requested: Type.Optional(StateOperationSchema),
});

/**
 * A system in a list.
 *
 * @example
 * for (const s of await api.systems.list()) console.log(s.name, s.state, s.reason.text);
 */
export type SystemSummary = StaticDecode<typeof SystemSummarySchema>;

/** Wire schema of {@link SystemDetail}. */
export const SystemDetailSchema = Type.Object({
  ...SystemSummarySchema.properties,
  definition: VirtualSystemDefinitionSchema,
  /** Changes with every change of the definition; `ifMatch` takes it (REST If-Match). */
  etag: Type.String({ maxLength: 128 }),
  consoles: Type.Array(oneOf(CONSOLE_KINDS)),
  /**
   * A running system's display, when it has one: its protocol (VNC's RFB). It is reached only through the host
   * (`consoles.open(ref, 'vnc')`; REST: the WebSocket `/systems/{id}/console/vnc`), never at an address of its own.
   */
  display: Type.Optional(Type.Object({ protocol: Type.Literal('vnc') })),
});

/** A system with its definition. */
export type SystemDetail = StaticDecode<typeof SystemDetailSchema>;

/** Wire schema of {@link SystemQuery}. */
export const SystemQuerySchema = Strict({
  states: Type.Optional(Type.Array(SystemStateSchema, { maxItems: 16 })),
  /** Only systems whose name sorts after this one (paging). */
  after: Type.Optional(Type.String({ maxLength: 128 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  /** With definitions, in one store read (CIM enumerations of RASDs, REST lists). */
  detail: Type.Optional(Type.Boolean()),
});

/** What `systems.list` selects, sorted by name. */
export type SystemQuery = StaticDecode<typeof SystemQuerySchema>;

/** Wire schema of {@link EditOptions}. */
export const EditOptionsSchema = Strict({
  ...JobOptionsSchema.properties,
  /** The `etag` the change was made from; a stale one is CONFLICT (REST If-Match). */
  ifMatch: Type.Optional(Type.String({ maxLength: 128 })),
  /** `config`: stopped systems only (else INVALID_STATE); `auto` (default): hot-plug into a running system. */
  live: Type.Optional(oneOf(['config', 'auto'] as const)),
});

/** How a settings or resource change is made. */
export type EditOptions = StaticDecode<typeof EditOptionsSchema>;

/** Wire schema of {@link ChangeStateOptions}. */
export const ChangeStateOptionsSchema = Strict({
  ...JobOptionsSchema.properties,
  /** shutdown and reboot: the guest's time (default 60 s). */
  timeoutMs: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_MS })),
  /** shutdown: power off when the guest has not stopped in time (default true); the reason says so. */
  forceAfterTimeout: Type.Optional(Type.Boolean()),
});

/** How a state change is made. */
export type ChangeStateOptions = StaticDecode<typeof ChangeStateOptionsSchema>;

/** Wire schema of {@link UndefineOptions}. */
export const UndefineOptionsSchema = Strict({
  ...JobOptionsSchema.properties,
  /** Power an active system off first (CIM DestroySystem). */
  powerOff: Type.Optional(Type.Boolean()),
  /**
   * Keep the guest's data (issue 11): each overlay disk becomes a standalone image in the default storage pool,
   * a direct disk stays where it is; the result lists them. Without it the overlays are deleted.
   */
  keepDisks: Type.Optional(Type.Boolean()),
});

/** How a system is undefined. */
export type UndefineOptions = StaticDecode<typeof UndefineOptionsSchema>;

/** Wire schema of {@link UndefineResult}. */
export const UndefineResultSchema = Type.Object({
  /** The images that hold the guest's disks after the undefine (`keepDisks`), by storage pool and image name. */
  keptImages: Type.Array(
    Type.Object({
      /** The drive's RASD InstanceID. */
      instanceId: Type.String({ maxLength: 256 }),
      pool: Type.String({ maxLength: 128 }),
      /** The image's name in the pool (a path relative to the pool's folder). */
      image: Type.String({ maxLength: 4096 }),
      /** `converted`: written from the system's overlay; `in-place`: the system wrote this image directly. */
      how: oneOf(['converted', 'in-place'] as const),
    }),
    { maxItems: 4096 },
  ),
});

/**
 * What an undefine kept: empty unless `keepDisks`.
 *
 * @example
 * const job = await api.systems.undefine('web1', { keepDisks: true, waitMs: Number.POSITIVE_INFINITY });
 * for (const k of resultOf(job).keptImages) console.log(k.pool, k.image);
 */
export type UndefineResult = StaticDecode<typeof UndefineResultSchema>;

/** Wire schema of {@link ResourceChange}. */
export const ResourceChangeSchema = Strict({
  instanceId: Type.String({ minLength: 1, maxLength: 256 }),
  properties: RasdPropertiesSchema,
});

/** New properties for the resource with this InstanceID. */
export type ResourceChange = StaticDecode<typeof ResourceChangeSchema>;

/** Wire schema of {@link ResourceResult}. */
export const ResourceResultSchema = Type.Object({
  instanceIds: Type.Array(Type.String({ maxLength: 256 })),
  applied: oneOf(['config', 'live'] as const),
});

/** The resources a change made or touched, and whether it reached the running system. */
export type ResourceResult = StaticDecode<typeof ResourceResultSchema>;

const counter = Uint64;

/** Wire schema of {@link SystemStats}. */
export const SystemStatsSchema = Type.Object({
  cpuTimeNs: counter,
  memoryBytes: counter,
  /** The balloon's current size, when there is one. */
  balloonBytes: Type.Optional(counter),
  /** Resident memory of the system's process, when the driver reads it. */
  residentBytes: Type.Optional(counter),
  disks: Type.Array(
    Type.Object({
      instanceId: Type.String({ maxLength: 256 }),
      readBytes: counter,
      writeBytes: counter,
      readOps: counter,
      writeOps: counter,
    }),
  ),
  nics: Type.Array(
    Type.Object({ instanceId: Type.String({ maxLength: 256 }), rxBytes: counter, txBytes: counter }),
  ),
  /** Why some NICs have no counters. */
  nicsUnavailable: Type.Optional(Type.String({ maxLength: 1024 })),
  uptimeMs: Type.Integer({ minimum: 0 }),
});

/**
 * Statistics of a running system; counters are cumulative since it started. (Today's hypervisor `DomainStats`
 * plus `uptimeMs`.)
 */
export type SystemStats = StaticDecode<typeof SystemStatsSchema>;
