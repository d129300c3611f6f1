import { ApiError } from '../../api/index.js';
import { CONSOLE_LIMITS, type ConsoleLimits, ConsoleSessions } from '../console-sessions.js';
import { parseCimInterval } from '../datetime.js';
import { CimError } from '../errors.js';
import { toCimError } from '../methods/errors-map.js';
import { type Params, ref } from '../methods/params.js';
import { C, CONSOLE_SERVICE_NAME, consoleServicePath, hostPath } from '../naming.js';
import type { CimContext, InstanceProvider, MethodResult } from '../provider.js';
import { capabilitiesOf } from '../snapshot.js';
import type { CimInstanceName } from '../types.js';
import { instance, link, type ProviderEnv, RUNNING_SERVICE } from './env.js';

/**
 * Vessel_TextConsoleService: a guest's serial console over CIM-XML and WS-Man, where no DMTF profile carries one
 * (DSP1024 and DSP1076 advertise a redirection endpoint, not the data). Every method acts through the caller's
 * Api session (`consoles.log`, `consoles.open`), so the Api's role check is the only one; the live sessions are
 * {@link ConsoleSessions}, bounded and owned by the user who opened them.
 */

/** The methods' return values (the class's ValueMap): 0 done, 5 Invalid State. */
const RETURN = { Completed: 0, InvalidState: 5 } as const;

/** What a caller waits in the last part of its time: its answer still has to reach it (ms). */
const ANSWER_MARGIN_MS = 250;

/** A string parameter, or CIM_ERR_INVALID_PARAMETER. */
function text(params: Params, name: string, required: boolean): string | undefined {
  const v = params[name];
  if (v === undefined) {
    if (required) throw new CimError('CIM_ERR_INVALID_PARAMETER', `Missing ${name} parameter`);
    return undefined;
  }
  if (typeof v !== 'string') throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} must be one string`);
  return v;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of a base64 parameter, checked for size before it is decoded. */
function bytesOf(params: Params, name: string, maxBytes: number): Buffer {
  const v = text(params, name, true)!;
  if (v.length > Math.ceil(maxBytes / 3) * 4)
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `${name} holds more than ${maxBytes} bytes (${v.length} base64 characters); send it in parts`,
    );
  if (!BASE64.test(v)) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} is not base64 (RFC 4648 §4)`);
  const b = Buffer.from(v, 'base64');
  if (b.length > maxBytes)
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${name} holds ${b.length} bytes, more than ${maxBytes}`);
  return b;
}

/** The last `max` bytes of a text's UTF-8, starting on a character. */
function tail(textOf: string, max: number): Buffer {
  const b = Buffer.from(textOf, 'utf8');
  if (b.length <= max) return b;
  let start = b.length - max;
  while (start < b.length && ((b[start] ?? 0) & 0xc0) === 0x80) start++;
  return b.subarray(start);
}

/** How long a Receive may wait: what it asked (default the most), within the bound and the caller's deadline. */
function waitMsOf(params: Params, limits: ConsoleLimits, ctx: CimContext): number {
  const t = text(params, 'Timeout', false);
  let ms = limits.maxWaitMs;
  if (t !== undefined) {
    const asked = parseCimInterval(t);
    if (asked === undefined)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        'Timeout must be a CIM interval (ddddddddhhmmss.mmmmmm:000)',
      );
    ms = Math.min(asked, ms);
  }
  if (ctx.deadline !== undefined) {
    const left = ctx.deadline - Date.now();
    ms = Math.min(ms, Math.floor(left - Math.min(ANSWER_MARGIN_MS, left / 4)));
  }
  return Math.max(0, ms);
}

/** Runs an Api call: INVALID_STATE answers 5, any other Api error is raised through the one table. */
async function viaApi(call: () => Promise<Record<string, string>>): Promise<MethodResult> {
  try {
    return { returnValue: RETURN.Completed, out: await call() };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'INVALID_STATE')
      return { returnValue: RETURN.InvalidState, out: {} };
    throw toCimError(e);
  }
}

/** The console service's providers, and the sessions they keep (closed with the CIM service). */
export interface ConsoleProviders {
  providers: InstanceProvider[];
  sessions: ConsoleSessions;
}

/**
 * The console service (one per host), its HostedService association to the host, and its methods.
 *
 * @example
 * const { providers, sessions } = consoleProviders(env);
 * for (const p of providers) om.register(VIRT_NAMESPACE, p);
 */
export function consoleProviders(env: ProviderEnv, limits: Partial<ConsoleLimits> = {}): ConsoleProviders {
  const bounds: ConsoleLimits = { ...CONSOLE_LIMITS, ...limits };
  const sessions = new ConsoleSessions(bounds);
  const host = env.hostName;
  const systemOf = (params: Params): string =>
    ref(params, 'System', [C.system], 'a virtual system').keys.Name as string;

  const methods: Record<string, (ctx: CimContext, params: Params) => Promise<MethodResult>> = {
    ReadLog: (ctx, params) => {
      const name = systemOf(params);
      const asked = text(params, 'MaxBytes', false);
      const max = asked === undefined ? bounds.dataBytes : Number(asked);
      if (!Number.isInteger(max) || max < 1 || max > bounds.dataBytes)
        throw new CimError('CIM_ERR_INVALID_PARAMETER', `MaxBytes must be 1 to ${bounds.dataBytes}`);
      return viaApi(async () => {
        const log = await env.api(ctx).consoles.log(name, { maxBytes: max });
        return { Data: tail(log, max).toString('base64') };
      });
    },
    OpenSession: (ctx, params) => {
      const name = systemOf(params);
      return viaApi(async () => ({
        Session: await sessions.open(ctx.user, ctx.role, name, () =>
          env.api(ctx).consoles.open(name, 'serial'),
        ),
      }));
    },
    Receive: async (ctx, params) => {
      const id = text(params, 'Session', true)!;
      const r = await sessions.receive(ctx.user, ctx.role, id, waitMsOf(params, bounds, ctx));
      return {
        returnValue: RETURN.Completed,
        out: {
          Data: r.data.toString('base64'),
          Closed: r.closed ? 'true' : 'false',
          DroppedBytes: String(r.droppedBytes),
        },
      };
    },
    Send: async (ctx, params) => {
      const id = text(params, 'Session', true)!;
      const ok = await sessions.send(ctx.user, ctx.role, id, bytesOf(params, 'Data', bounds.dataBytes));
      return { returnValue: ok ? RETURN.Completed : RETURN.InvalidState, out: {} };
    },
    CloseSession: async (ctx, params) => {
      await sessions.close(ctx.user, ctx.role, text(params, 'Session', true)!);
      return { returnValue: RETURN.Completed, out: {} };
    },
  };

  const service = () =>
    instance(C.consoles, {
      SystemCreationClassName: C.host,
      SystemName: host,
      CreationClassName: C.consoles,
      Name: CONSOLE_SERVICE_NAME,
      ElementName: 'Serial Console Service',
      ...RUNNING_SERVICE,
      MaxSessionsPerUser: String(bounds.perUser),
      MaxSessions: String(bounds.perHost),
      IdleTimeout: String(Math.ceil(bounds.idleMs / 1000)),
      MaxDataBytes: String(bounds.dataBytes),
      MaxBufferedBytes: String(bounds.bufferBytes),
      MaxReceiveWait: String(Math.ceil(bounds.maxWaitMs / 1000)),
    });

  return {
    sessions,
    providers: [
      {
        className: C.consoles,
        // Only where the host's driver has a serial console: elsewhere a client finds no service and says so.
        enumerate: async (ctx) => ((await capabilitiesOf(ctx, env)).features.consoles ? [service()] : []),
        invoke: (ctx, _target: CimInstanceName, method, params) => {
          const m = Object.hasOwn(methods, method) ? methods[method] : undefined;
          if (m === undefined)
            throw new CimError(
              'CIM_ERR_METHOD_NOT_AVAILABLE',
              `${method} is not available on the console service`,
            );
          return m(ctx, params);
        },
      },
      {
        className: 'Vessel_HostedService',
        enumerate: async (ctx) =>
          (await capabilitiesOf(ctx, env)).features.consoles
            ? [
                link(
                  'Vessel_HostedService',
                  'Antecedent',
                  hostPath(host),
                  'Dependent',
                  consoleServicePath(host),
                ),
              ]
            : [],
      },
    ],
  };
}
