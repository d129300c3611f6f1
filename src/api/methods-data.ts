import { Type } from '@sinclair/typebox';
import { ArtifactInfoSchema } from './artifacts.js';
import { CONSOLE_KINDS } from './capabilities.js';
import { SystemRefSchema } from './common.js';
import { JobInfoSchema } from './jobs.js';
import { type MethodSpec, StreamTicketSchema } from './method-spec.js';
import { NetworkInfoSchema, NetworkName } from './networks.js';
import {
  DeployOptionsSchema,
  DeployPlanViewSchema,
  DeployResultSchema,
  ExportOptionsSchema,
  ExportResultSchema,
  PackageSourceSchema,
} from './packages.js';
import {
  ImageInfoSchema,
  ImageName,
  NEW_IMAGE_FORMATS,
  PoolInfoSchema,
  PoolName,
  PoolSpecSchema,
} from './pools.js';
import { ROLES } from './principal.js';
import { Base64Bytes, Id, oneOf, Strict, Uint64 } from './schema.js';
import {
  NewTokenSchema,
  TokenIdSchema,
  TokenInfoSchema,
  TokenOptionsSchema,
  UserInfoSchema,
  UserNameSchema,
} from './users.js';

/** The METHODS entries of the packages, artifacts, consoles, pools, users and networks namespaces. */

const ref = SystemRefSchema;
const opt = Type.Optional;
const Password = Type.String({ minLength: 1, maxLength: 1024 });

/** Entries of packages.*, artifacts.*, consoles.*, pools.*, users.*, networks.*. */
export const METHODS_DATA = {
  'packages.inspect': {
    role: 'admin',
    stream: 'upload',
    args: ['source', 'options'],
    params: Strict({
      source: PackageSourceSchema,
      options: opt(Type.Omit(DeployOptionsSchema, ['powerOn', 'waitMs'])),
    }),
    result: DeployPlanViewSchema,
  },
  'packages.deploy': {
    role: 'admin',
    stream: 'upload',
    args: ['source', 'options'],
    params: Strict({ source: PackageSourceSchema, options: opt(DeployOptionsSchema) }),
    result: JobInfoSchema(DeployResultSchema),
  },
  'packages.export': {
    role: 'admin',
    args: ['ref', 'options'],
    params: Strict({ ref, options: ExportOptionsSchema }),
    result: JobInfoSchema(ExportResultSchema),
  },

  'artifacts.get': { role: 'admin', args: ['id'], params: Strict({ id: Id }), result: ArtifactInfoSchema },
  'artifacts.download': {
    role: 'admin',
    stream: 'download',
    args: ['id', 'options'],
    params: Strict({ id: Id, options: opt(Strict({ offset: opt(Uint64) })) }),
    result: StreamTicketSchema,
  },
  'artifacts.delete': { role: 'admin', args: ['id'], params: Strict({ id: Id }), result: Type.Void() },

  'consoles.log': {
    role: 'operator',
    args: ['ref', 'options'],
    params: Strict({
      ref,
      options: opt(Strict({ maxBytes: opt(Type.Integer({ minimum: 1, maximum: 16_777_216 })) })),
    }),
    result: Type.String(),
  },
  'consoles.open': {
    role: 'operator',
    stream: 'duplex',
    args: ['ref', 'kind'],
    params: Strict({ ref, kind: oneOf(CONSOLE_KINDS) }),
    result: StreamTicketSchema,
  },
  'consoles.screenshot': { role: 'operator', args: ['ref'], params: Strict({ ref }), result: Base64Bytes },

  'pools.list': { role: 'reader', args: [], params: Strict({}), result: Type.Array(PoolInfoSchema) },
  'pools.get': { role: 'reader', args: ['id'], params: Strict({ id: PoolName }), result: PoolInfoSchema },
  'pools.add': {
    role: 'admin',
    args: ['spec'],
    params: Strict({ spec: PoolSpecSchema }),
    result: PoolInfoSchema,
  },
  'pools.remove': { role: 'admin', args: ['id'], params: Strict({ id: PoolName }), result: Type.Void() },
  'pools.images': {
    role: 'reader',
    args: ['id'],
    params: Strict({ id: PoolName }),
    result: Type.Array(ImageInfoSchema),
  },
  'pools.upload': {
    role: 'admin',
    stream: 'upload',
    args: ['id', 'name', null, 'options'],
    params: Strict({
      id: PoolName,
      name: ImageName,
      options: opt(
        Strict({ sha256: opt(Type.String({ pattern: '^[0-9a-f]{64}$' })), sizeBytes: opt(Uint64) }),
      ),
    }),
    result: ImageInfoSchema,
  },
  'pools.download': {
    role: 'admin',
    stream: 'download',
    args: ['id', 'name', 'options'],
    params: Strict({ id: PoolName, name: ImageName, options: opt(Strict({ offset: opt(Uint64) })) }),
    result: StreamTicketSchema,
  },
  'pools.deleteImage': {
    role: 'admin',
    args: ['id', 'name'],
    params: Strict({ id: PoolName, name: ImageName }),
    result: Type.Void(),
  },
  'pools.createImage': {
    role: 'admin',
    args: ['id', 'name', 'sizeBytes', 'format'],
    params: Strict({
      id: PoolName,
      name: ImageName,
      sizeBytes: Uint64,
      format: oneOf(NEW_IMAGE_FORMATS),
    }),
    result: ImageInfoSchema,
  },

  'users.list': { role: 'admin', args: [], params: Strict({}), result: Type.Array(UserInfoSchema) },
  'users.add': {
    role: 'admin',
    args: ['name', 'role', 'password'],
    params: Strict({
      name: UserNameSchema,
      role: oneOf(ROLES),
      password: Password,
    }),
    result: Type.Void(),
  },
  'users.remove': {
    role: 'admin',
    args: ['name'],
    params: Strict({ name: UserNameSchema }),
    result: Type.Void(),
  },
  'users.setRole': {
    role: 'admin',
    args: ['name', 'role'],
    params: Strict({ name: UserNameSchema, role: oneOf(ROLES) }),
    result: Type.Void(),
  },
  'users.setPassword': {
    role: 'admin',
    args: ['name', 'password'],
    params: Strict({ name: UserNameSchema, password: Password }),
    result: Type.Void(),
  },
  // Any user, for itself: the host checks the old password.
  'users.changePassword': {
    role: 'reader',
    args: ['oldPassword', 'password'],
    params: Strict({ oldPassword: Password, password: Password }),
    result: Type.Void(),
  },
  'users.createToken': {
    role: 'reader',
    args: ['role', 'options'],
    params: Strict({ role: oneOf(ROLES), options: opt(TokenOptionsSchema) }),
    result: NewTokenSchema,
  },
  'users.tokens': { role: 'reader', args: [], params: Strict({}), result: Type.Array(TokenInfoSchema) },
  'users.revokeToken': {
    role: 'reader',
    args: ['id'],
    params: Strict({ id: TokenIdSchema }),
    result: Type.Void(),
  },

  'networks.list': { role: 'reader', args: [], params: Strict({}), result: Type.Array(NetworkInfoSchema) },
  'networks.get': {
    role: 'reader',
    args: ['name'],
    params: Strict({ name: NetworkName }),
    result: NetworkInfoSchema,
  },
  'networks.define': {
    role: 'admin',
    args: ['network'],
    params: Strict({ network: NetworkInfoSchema }),
    result: NetworkInfoSchema,
  },
  'networks.remove': {
    role: 'admin',
    args: ['name'],
    params: Strict({ name: NetworkName }),
    result: Type.Void(),
  },
} as const satisfies Record<string, MethodSpec>;
