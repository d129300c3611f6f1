import { Type } from '@sinclair/typebox';
import { CapabilitiesSchema } from './capabilities.js';
import { JobOptionsSchema, SystemRefSchema } from './common.js';
import { ApiEventSchema, EventQuerySchema } from './events.js';
import { HostInfoSchema } from './host.js';
import { AnyJobInfoSchema, JobInfoSchema, JobQuerySchema, JobWaitOptionsSchema } from './jobs.js';
import type { MethodSpec } from './method-spec.js';
import {
  ResourceSettingSchema,
  VirtualSystemDefinitionSchema,
  VssdPropertiesSchema,
} from './model-schemas.js';
import { StateOperationSchema } from './operations.js';
import { Id, Strict } from './schema.js';
import { SurfaceReportSchema } from './surface.js';
import {
  ChangeStateOptionsSchema,
  EditOptionsSchema,
  ResourceChangeSchema,
  ResourceResultSchema,
  SystemDetailSchema,
  SystemQuerySchema,
  SystemStatsSchema,
  SystemSummarySchema,
  UndefineOptionsSchema,
  UndefineResultSchema,
} from './systems-data.js';

/** The METHODS entries of the host, systems, jobs and events namespaces (see methods.ts). */

const ref = SystemRefSchema;
const opt = Type.Optional;
const edit = opt(EditOptionsSchema);
const MAX_ITEMS = 4096;

/** Entries of host.*, systems.*, jobs.*, events.*. */
export const METHODS_SYSTEMS = {
  'host.info': { role: 'reader', args: [], params: Strict({}), result: HostInfoSchema },
  'host.capabilities': { role: 'reader', args: [], params: Strict({}), result: CapabilitiesSchema },
  'host.surface': { role: 'admin', args: [], params: Strict({}), result: SurfaceReportSchema },

  'systems.list': {
    role: 'reader',
    args: ['query'],
    params: Strict({ query: opt(SystemQuerySchema) }),
    result: Type.Union([Type.Array(SystemDetailSchema), Type.Array(SystemSummarySchema)]),
  },
  'systems.get': { role: 'reader', args: ['ref'], params: Strict({ ref }), result: SystemDetailSchema },
  'systems.define': {
    role: 'admin',
    args: ['definition', 'options'],
    params: Strict({ definition: VirtualSystemDefinitionSchema, options: opt(JobOptionsSchema) }),
    result: JobInfoSchema(SystemSummarySchema),
  },
  'systems.undefine': {
    role: 'admin',
    args: ['ref', 'options'],
    params: Strict({ ref, options: opt(UndefineOptionsSchema) }),
    result: JobInfoSchema(UndefineResultSchema),
  },
  'systems.modifySettings': {
    role: 'admin',
    args: ['ref', 'changes', 'options'],
    params: Strict({ ref, changes: VssdPropertiesSchema, options: edit }),
    result: JobInfoSchema(SystemDetailSchema),
  },
  'systems.addResources': {
    role: 'admin',
    args: ['ref', 'resources', 'options'],
    params: Strict({
      ref,
      resources: Type.Array(ResourceSettingSchema, { maxItems: MAX_ITEMS }),
      options: edit,
    }),
    result: JobInfoSchema(ResourceResultSchema),
  },
  'systems.modifyResources': {
    role: 'admin',
    args: ['ref', 'changes', 'options'],
    params: Strict({
      ref,
      changes: Type.Array(ResourceChangeSchema, { maxItems: MAX_ITEMS }),
      options: edit,
    }),
    result: JobInfoSchema(ResourceResultSchema),
  },
  'systems.removeResources': {
    role: 'admin',
    args: ['ref', 'instanceIds', 'options'],
    params: Strict({
      ref,
      instanceIds: Type.Array(Type.String({ maxLength: 256 }), { maxItems: MAX_ITEMS }),
      options: edit,
    }),
    result: JobInfoSchema(ResourceResultSchema),
  },
  'systems.changeState': {
    role: 'operator',
    args: ['ref', 'operation', 'options'],
    params: Strict({ ref, operation: StateOperationSchema, options: opt(ChangeStateOptionsSchema) }),
    result: JobInfoSchema(SystemSummarySchema),
  },
  'systems.stats': { role: 'reader', args: ['ref'], params: Strict({ ref }), result: SystemStatsSchema },
  'systems.metadata': {
    role: 'reader',
    args: ['ref'],
    params: Strict({ ref }),
    result: Type.Record(Type.String(), Type.String()),
  },
  'systems.setMetadata': {
    role: 'admin',
    args: ['ref', 'key', 'value'],
    params: Strict({
      ref,
      key: Type.String({ minLength: 1, maxLength: 256 }),
      value: opt(Type.String({ maxLength: 65_536 })),
    }),
    result: Type.Void(),
  },

  'jobs.list': {
    role: 'reader',
    args: ['query'],
    params: Strict({ query: opt(JobQuerySchema) }),
    result: Type.Array(AnyJobInfoSchema),
  },
  'jobs.get': { role: 'reader', args: ['id'], params: Strict({ id: Id }), result: AnyJobInfoSchema },
  'jobs.wait': {
    role: 'reader',
    args: ['id', 'options'],
    params: Strict({ id: Id, options: opt(JobWaitOptionsSchema) }),
    result: AnyJobInfoSchema,
  },
  // The session lets an operator cancel or delete only the jobs it owns; an admin, any.
  'jobs.cancel': { role: 'operator', args: ['id'], params: Strict({ id: Id }), result: AnyJobInfoSchema },
  'jobs.delete': { role: 'operator', args: ['id'], params: Strict({ id: Id }), result: Type.Void() },

  'events.list': {
    role: 'reader',
    args: ['query'],
    params: Strict({ query: opt(EventQuerySchema) }),
    result: Type.Array(ApiEventSchema),
  },
  'events.subscribe': {
    role: 'reader',
    stream: 'events',
    args: ['query', null],
    params: Strict({ query: Type.Omit(EventQuerySchema, ['limit']) }),
    result: Type.Object({ subscription: Id }),
  },
} as const satisfies Record<string, MethodSpec>;
