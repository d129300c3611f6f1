import { Type } from '@sinclair/typebox';
import {
  CapabilitiesSchema,
  HostInfoSchema,
  ImageInfoSchema,
  NetworkInfoSchema,
  PoolInfoSchema,
  SurfaceReportSchema,
  UserInfoSchema,
} from '../api/index.js';
import { type RestRoute, wire } from './route.js';

/** The host's summary and what it can do, its networks, its storage pools and its users. */

/** GET /host's body. */
export const HostViewSchema = Type.Object({ info: HostInfoSchema, capabilities: CapabilitiesSchema });

const items = <T extends Parameters<typeof Type.Array>[0]>(t: T) => Type.Object({ items: Type.Array(t) });

/** Routes of /host, /networks, /pools, /users. */
export const HOST_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/host',
    operationId: 'getHost',
    summary: 'The host: name, version, driver, systems; and its capabilities',
    calls: 'host.info',
    responses: { 200: { description: 'The host', schema: HostViewSchema } },
    handle: async ({ api }) => {
      const [info, caps] = await Promise.all([api.host.info(), api.host.capabilities()]);
      return {
        status: 200,
        body: {
          info: wire('host.info', info),
          capabilities: wire('host.capabilities', caps),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/host/surface',
    operationId: 'getHostSurface',
    summary:
      "The host's attack-surface report: listening sockets, processes and their users, its capabilities",
    calls: 'host.surface',
    responses: { 200: { description: 'The report', schema: SurfaceReportSchema } },
    handle: async ({ api }) => ({ status: 200, body: wire('host.surface', await api.host.surface()) }),
  },
  {
    method: 'GET',
    path: '/networks',
    operationId: 'listNetworks',
    summary: "The host's networks",
    calls: 'networks.list',
    responses: { 200: { description: 'Every network', schema: items(NetworkInfoSchema) } },
    handle: async ({ api }) => ({
      status: 200,
      body: { items: wire('networks.list', await api.networks.list()) },
    }),
  },
  {
    method: 'GET',
    path: '/networks/{name}',
    operationId: 'getNetwork',
    summary: 'One network',
    calls: 'networks.get',
    pathParams: { name: 'the network' },
    responses: { 200: { description: 'The network', schema: NetworkInfoSchema } },
    handle: async ({ api, params }) => ({
      status: 200,
      body: wire('networks.get', await api.networks.get(params.name ?? '')),
    }),
  },
  {
    method: 'GET',
    path: '/pools',
    operationId: 'listPools',
    summary: "The host's storage pools, with capacity and use",
    calls: 'pools.list',
    responses: { 200: { description: 'Every pool', schema: items(PoolInfoSchema) } },
    handle: async ({ api }) => ({
      status: 200,
      body: { items: wire('pools.list', await api.pools.list()) },
    }),
  },
  {
    method: 'GET',
    path: '/pools/{id}',
    operationId: 'getPool',
    summary: 'One storage pool',
    calls: 'pools.get',
    pathParams: { id: 'the pool' },
    responses: { 200: { description: 'The pool', schema: PoolInfoSchema } },
    handle: async ({ api, params }) => ({
      status: 200,
      body: wire('pools.get', await api.pools.get(params.id ?? '')),
    }),
  },
  {
    method: 'GET',
    path: '/pools/{id}/images',
    operationId: 'listImages',
    summary: 'The images of a storage pool',
    calls: 'pools.images',
    pathParams: { id: 'the pool' },
    responses: { 200: { description: 'Every image', schema: items(ImageInfoSchema) } },
    handle: async ({ api, params }) => ({
      status: 200,
      body: { items: wire('pools.images', await api.pools.images(params.id ?? '')) },
    }),
  },
  {
    method: 'GET',
    path: '/users',
    operationId: 'listUsers',
    summary: 'The users of the management ports and their roles (never a password)',
    calls: 'users.list',
    responses: { 200: { description: 'Every user', schema: items(UserInfoSchema) } },
    handle: async ({ api }) => ({
      status: 200,
      body: { items: wire('users.list', await api.users.list()) },
    }),
  },
];
