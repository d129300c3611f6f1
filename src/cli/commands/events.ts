import type { Command } from 'commander';
import { type Api, ApiError, type ApiEvent, EVENT_TYPES, type EventType } from '../../api/index.js';
import { VesselError } from '../../model/index.js';
import { connectApi, withApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

/**
 * `vessel events`: the host's events (api.events), numbered. Without `--follow` it prints the stored events and
 * ends; with it, it replays from `--since` and then prints live events until interrupted. Over a transport
 * without events (CIM-XML) it fails with NOT_SUPPORTED (exit 4).
 */

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `--since SEQ`: a sequence number. */
function seqOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,15}$/.test(text))
    throw new VesselError('USAGE', `--since "${text}": use the sequence number of an event (0 for all)`);
  return Number(text);
}

function typesOption(list: string[] | undefined): EventType[] | undefined {
  if (list === undefined) return undefined;
  for (const t of list)
    if (!(EVENT_TYPES as readonly string[]).includes(t))
      throw new VesselError('USAGE', `--type "${t}": use ${EVENT_TYPES.join(', ')}`);
  return [...new Set(list)] as EventType[];
}

/**
 * One event as a line: sequence number, time, type, subject and what happened.
 *
 * @example
 * eventText(e); // '42  2026-12-03T07:00:00.000Z  system.state  web1  running (started; api admin)'
 */
export function eventText(e: ApiEvent): string {
  const head = `${e.seq}  ${e.time}  ${e.type}`;
  switch (e.type) {
    case 'system.state': {
      const by = e.cause.kind === 'api' && e.cause.user !== undefined ? `api ${e.cause.user}` : e.cause.kind;
      return `${head}  ${e.system}  ${e.state} (${e.reason.text}; ${by})`;
    }
    case 'system.defined':
    case 'system.modified':
    case 'system.undefined':
      return `${head}  ${e.system}`;
    case 'system.device':
      return `${head}  ${e.uuid}  ${e.action} ${e.instanceId}`;
    case 'job.progress':
    case 'job.finished': {
      const target = e.job.target === undefined ? '' : ` ${e.job.target.name ?? e.job.target.id}`;
      return `${head}  ${e.job.id}  ${e.job.operation}${target} ${e.job.state} ${e.job.percent}%`;
    }
    default:
      return `${head}  ${e.uuid}${e.detail === undefined ? '' : `  ${e.detail}`}`;
  }
}

/** Follows the events until SIGINT/SIGTERM (exit 0) or until the host ends the stream (HOST_UNREACHABLE). */
async function follow(
  api: Api,
  q: Parameters<Api['events']['subscribe']>[0],
  json: boolean,
): Promise<number> {
  let stopped = false;
  const sub = await api.events.subscribe(q, (e) => {
    if (json) printJson(e);
    else println(eventText(e));
  });
  const stop = () => {
    stopped = true;
    sub.close().catch(() => undefined);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await sub.ended;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (stopped) return 0;
  throw new ApiError('HOST_UNREACHABLE', 'The host ended the event stream');
}

registerGroup((program: Command) => {
  program
    .command('events')
    .description(
      "The host's events, numbered: state changes, defines, devices, jobs' progress (--follow for live)",
    )
    .option('--follow', 'after the stored events, print live ones until interrupted')
    .option('--since <seq>', 'only events after this sequence number (the last one you saw)')
    .option('--vm <name>', 'only the events of this system (name or UUID)')
    .option('--type <type>', `only events of this type (repeatable): ${EVENT_TYPES.join(', ')}`, collect)
    .option('--limit <n>', 'without --follow: at most this many, oldest first (1 to 10000)')
    .option('--json', 'print JSON: an array, or with --follow one event object per line')
    .action(
      action(
        async (
          opts: {
            follow?: boolean;
            since?: string;
            vm?: string;
            type?: string[];
            limit?: string;
            json?: boolean;
          },
          c: Command,
        ) => {
          const after = seqOption(opts.since);
          const types = typesOption(opts.type);
          const q = {
            ...(after === undefined ? {} : { after }),
            ...(opts.vm === undefined ? {} : { system: opts.vm }),
            ...(types === undefined ? {} : { types }),
          };
          if (opts.follow) {
            if (opts.limit !== undefined) throw new VesselError('USAGE', '--limit does not go with --follow');
            const api = await connectApi(c);
            try {
              return await follow(api, q, opts.json === true);
            } finally {
              await api.close();
            }
          }
          const limit = opts.limit === undefined ? undefined : Number(opts.limit);
          if (limit !== undefined && (!/^\d{1,5}$/.test(opts.limit ?? '') || limit < 1 || limit > 10_000))
            throw new VesselError('USAGE', `--limit "${opts.limit}": use a whole number from 1 to 10000`);
          const events = await withApi(c, (api) => api.events.list({ ...q, ...(limit ? { limit } : {}) }));
          if (opts.json) printJson(events);
          else for (const e of events) println(eventText(e));
          return 0;
        },
      ),
    );
});
