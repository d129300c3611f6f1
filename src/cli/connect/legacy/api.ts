import type { Socket } from 'node:net';
import {
  type Api,
  ApiError,
  type ApiEvent,
  type ByteChannel,
  type ConsolesApi,
  type EventsApi,
  type PoolsApi,
} from '../../../api/index.js';
import { HostClient, type HostEvent, type PoolUsage } from '../../../host/index.js';
import { partialNamespace } from '../unsupported.js';
import { legacyHost } from './host.js';
import { LegacyJobs } from './jobs.js';
import { legacyPackages } from './packages.js';
import { legacySystems } from './systems.js';
import { eventOf, poolOf } from './values.js';

/** The most events one `events.list` asks the old protocol for. */
const MAX_EVENTS = 10_000;

function events(client: HostClient, host: string): EventsApi {
  return partialNamespace(
    'events',
    {
      async list(q = {}) {
        const raw = await client.call<HostEvent[]>('events.list', {
          ...(q.system === undefined ? {} : { vm: q.system }),
          ...(q.after === undefined ? {} : { afterId: q.after }),
          limit: MAX_EVENTS,
        });
        const out = raw
          .map(eventOf)
          .filter((e): e is ApiEvent => e !== undefined)
          .filter((e) => q.types === undefined || q.types.includes(e.type));
        return q.limit === undefined ? out : out.slice(-q.limit);
      },
    },
    host,
  );
}

function pools(client: HostClient, host: string): PoolsApi {
  const list = async () => (await client.call<PoolUsage[]>('pool.list')).map(poolOf);
  return partialNamespace(
    'pools',
    {
      list,
      async get(id) {
        const p = (await list()).find((x) => x.id === id);
        if (p === undefined) throw new ApiError('NOT_FOUND', `There is no storage pool "${id}" on ${host}`);
        return p;
      },
      async add(spec) {
        return poolOf(
          await client.call<PoolUsage>('pool.add', {
            name: spec.id,
            path: spec.path,
            allowDevices: spec.allowDevices === true,
          }),
        );
      },
      async remove(id) {
        await client.call('pool.remove', { name: id });
      },
    },
    host,
  );
}

/** A serial console as a byte channel over its own connection to the host. */
function channelOf(sock: Socket): ByteChannel {
  return {
    input: sock as AsyncIterable<Uint8Array>,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => sock.write(bytes, (e) => (e ? reject(e) : resolve()))),
    close: async () => {
      sock.destroy();
    },
  };
}

function consoles(client: HostClient, stateDir: string, host: string): ConsolesApi {
  return partialNamespace(
    'consoles',
    {
      async log(ref, o = {}) {
        const r = await client.call<{ log: string }>('vm.console', {
          vm: ref,
          ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
        });
        return r.log;
      },
      async open(ref, kind) {
        if (kind !== 'serial')
          throw new ApiError('NOT_SUPPORTED', `Cannot open a ${kind} console on ${host}`);
        const own = await HostClient.connect(stateDir);
        try {
          return channelOf(await own.attachConsole(ref));
        } catch (e) {
          own.close();
          throw e;
        }
      },
    },
    host,
  );
}

/**
 * The Api of a running local host over its present socket protocol (src/host/server.ts: one JSON request per
 * line), for the CLI until the host serves the Api's own socket protocol (src/api/transport). It carries what
 * that protocol has (systems and their states, deploy and export to host paths, jobs, events, pools, the serial
 * console); the rest answers NOT_SUPPORTED naming the host. Errors are the host's, relayed with their codes.
 *
 * @example
 * const api = await legacySocketApi('/srv/vessel');
 * console.log((await api.systems.list()).map((s) => s.name));
 * await api.close();
 */
export async function legacySocketApi(stateDir: string): Promise<Api> {
  const client = await HostClient.connect(stateDir);
  const host = `the host of ${stateDir}`;
  const jobs = new LegacyJobs(client, host);
  const packages = legacyPackages(client, jobs, host);
  return {
    host: legacyHost(client),
    systems: legacySystems(client, host),
    jobs: jobs.api(),
    events: events(client, host),
    packages: packages.api,
    artifacts: partialNamespace('artifacts', {}, host),
    consoles: consoles(client, stateDir, host),
    pools: pools(client, host),
    users: partialNamespace('users', {}, host, 'users are managed with vessel user on the host'),
    networks: partialNamespace('networks', {}, host),
    async close() {
      packages.close();
      client.close();
    },
  };
}
