import {
  ApiError,
  type ByteChannel,
  type ConsoleKind,
  type ConsolesApi,
  type SystemRef,
} from '../../../api/index.js';
import { CimError, type CimInstance, type CimInstanceName, cimInterval } from '../../../cim/index.js';
import type { MethodOutcome } from '../client.js';
import type { ParamIn } from '../encode-request.js';
import { type CallContext, fromReturnValue, toApiError } from './errors.js';
import type { Inventory } from './inventory.js';
import type { CimSession } from './session.js';
import { whole } from './values.js';

/**
 * The consoles namespace over CIM-XML or WS-Man: a Vessel host's Vessel_TextConsoleService (src/cim/providers/
 * consoles.ts), as no DMTF profile carries a serial console. The log is one ReadLog; a live console is a session
 * whose output a Receive loop (long polls) feeds into the channel's input and whose input is Sent in pieces. A
 * host without the service (another CIMOM, Hyper-V, a driver without consoles) is NOT_SUPPORTED, saying so; the
 * VNC display and screenshots are not carried.
 */

/** The service's class, on a Vessel host. */
export const CONSOLE_SERVICE_CLASS = 'Vessel_TextConsoleService';

/** What the client asks of one Receive (the host answers sooner when output is waiting). */
const RECEIVE_WAIT_MS = 5_000;

/** Bounds the client assumes when the host does not state them. */
const DEFAULT_DATA_BYTES = 64 * 1024;

/** The console service of a host: its path and the most bytes one call carries. */
interface Service {
  path: CimInstanceName;
  dataBytes: number;
  waitMs: number;
}

/** What a hostile or confused host answers in Data: base64, or PROTOCOL. */
function decoded(out: MethodOutcome['out'], where: string, what: string): Buffer {
  const v = out.Data;
  if (v === undefined) return Buffer.alloc(0);
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
    throw new ApiError(
      'PROTOCOL',
      `${what} on ${where}: the console service answered Data that is not base64`,
    );
  return Buffer.from(v, 'base64');
}

function refuse(what: string, why: string, encoding: string): ApiError {
  return new ApiError('NOT_SUPPORTED', `Cannot ${what} over ${encoding}: ${why}`, {
    hint: 'Use the host itself (vessel:///STATE) or its REST port for this',
  });
}

/**
 * The consoles of a CIM host (see the module comment).
 *
 * @example
 * const text = await new CimConsoles(session, inv).log('web1', { maxBytes: 4096 });
 */
export class CimConsoles implements ConsolesApi {
  private service: Promise<Service | undefined> | undefined;

  constructor(
    private readonly s: CimSession,
    private readonly inv: Inventory,
  ) {}

  /** The host's console service, read once per connection; undefined when it has none. */
  find(): Promise<Service | undefined> {
    this.service ??= this.lookUp();
    this.service.catch(() => (this.service = undefined));
    return this.service;
  }

  private async lookUp(): Promise<Service | undefined> {
    let found: CimInstance[];
    try {
      found = await this.s.client.enumerateInstances(CONSOLE_SERVICE_CLASS, { namespace: this.s.namespace });
    } catch (e) {
      // Whatever CIM status a host answers for a class it does not serve (INVALID_CLASS, NOT_FOUND, NOT_SUPPORTED
      // from a CIMOM that cannot enumerate it): it has no such service. Transport failures and a refused user are
      // failures.
      if (e instanceof CimError && e.code !== 'CIM_ERR_ACCESS_DENIED') return undefined;
      throw toApiError(e, { what: 'Finding the console service' }, this.s.where);
    }
    const svc = found[0];
    if (svc?.path === undefined) return undefined;
    const bound = (i: CimInstance, name: string, fallback: number, max: number) => {
      const v = whole(i, name);
      return v === undefined || v < 1 ? fallback : Math.min(v, max);
    };
    return {
      path: { ...svc.path, namespace: svc.path.namespace ?? this.s.namespace, host: undefined },
      dataBytes: bound(svc, 'MaxDataBytes', DEFAULT_DATA_BYTES, 1 << 20),
      waitMs: bound(svc, 'MaxReceiveWait', RECEIVE_WAIT_MS / 1000, 30) * 1000,
    };
  }

  private async required(what: string): Promise<Service> {
    const svc = await this.find();
    if (svc === undefined)
      throw refuse(
        what,
        `${this.s.where} has no ${CONSOLE_SERVICE_CLASS} (a Vessel host's console service, whose driver has serial consoles); the DMTF profiles carry no console`,
        this.s.encoding,
      );
    return svc;
  }

  private invoke(
    ctx: CallContext,
    svc: Service,
    method: string,
    params: Record<string, ParamIn>,
  ): Promise<MethodOutcome> {
    return this.s.call(ctx, (c) => c.invokeMethod(svc.path, method, params, this.s.lookup));
  }

  async log(ref: SystemRef, o: { maxBytes?: number } = {}): Promise<string> {
    const svc = await this.required('read a console log');
    const x = await this.inv.find(ref);
    const ctx: CallContext = {
      what: `Cannot read the console log of "${x.summary.name}"`,
      notFound: 'VM_NOT_FOUND',
    };
    const max = Math.min(o.maxBytes ?? svc.dataBytes, svc.dataBytes);
    const r = await this.invoke(ctx, svc, 'ReadLog', {
      System: { type: 'reference', value: x.cs.path },
      MaxBytes: { type: 'uint32', value: String(max) },
    });
    if (r.returnValue !== 0) throw fromReturnValue('ReadLog', r.returnValue, ctx, this.s.where);
    return decoded(r.out, this.s.where, ctx.what).toString('utf8');
  }

  async open(ref: SystemRef, kind: ConsoleKind): Promise<ByteChannel> {
    if (kind !== 'serial')
      throw refuse('open the VNC display', 'only the serial console is carried over CIM', this.s.encoding);
    const svc = await this.required('open a console');
    const x = await this.inv.find(ref);
    const name = x.summary.name;
    const ctx: CallContext = {
      what: `Cannot open the serial console of "${name}"`,
      notFound: 'VM_NOT_FOUND',
    };
    const r = await this.invoke(ctx, svc, 'OpenSession', { System: { type: 'reference', value: x.cs.path } });
    if (r.returnValue === 5)
      throw new ApiError(
        'INVALID_STATE',
        `Cannot open the serial console of "${name}": it is ${x.summary.state}`,
      );
    if (r.returnValue !== 0) throw fromReturnValue('OpenSession', r.returnValue, ctx, this.s.where);
    const id = r.out.Session;
    if (typeof id !== 'string' || id === '' || id.length > 256)
      throw new ApiError('PROTOCOL', `${ctx.what} on ${this.s.where}: OpenSession answered no Session`);
    return new CimConsoleChannel(this, svc, id, name);
  }

  /** One Receive, Send or CloseSession of a session (for the channel). */
  call(svc: Service, method: string, params: Record<string, ParamIn>, what: string): Promise<MethodOutcome> {
    return this.invoke({ what }, svc, method, params);
  }

  get where(): string {
    return this.s.where;
  }

  async screenshot(): Promise<Uint8Array> {
    throw refuse('take a screenshot', 'the display is not carried over CIM', this.s.encoding);
  }
}

/** A console session as a ByteChannel: input is a Receive loop until the host says Closed or we close it. */
class CimConsoleChannel implements ByteChannel {
  private closed = false;
  readonly input: AsyncIterable<Uint8Array>;

  constructor(
    private readonly c: CimConsoles,
    private readonly svc: Service,
    private readonly id: string,
    private readonly name: string,
  ) {
    this.input = this.receive();
  }

  private async *receive(): AsyncGenerator<Uint8Array> {
    const what = `Reading the console of "${this.name}"`;
    const timeout = { type: 'datetime', value: cimInterval(this.svc.waitMs) } as const;
    while (!this.closed) {
      const r = await this.c.call(
        this.svc,
        'Receive',
        { Session: { type: 'string', value: this.id }, Timeout: timeout },
        what,
      );
      if (r.returnValue !== 0) throw fromReturnValue('Receive', r.returnValue, { what }, this.c.where);
      const data = decoded(r.out, this.c.where, what);
      if (data.length > 0) yield data;
      if (/^true$/i.test(String(r.out.Closed ?? ''))) return;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    const what = `Writing to the console of "${this.name}"`;
    for (let at = 0; at < bytes.length; at += this.svc.dataBytes) {
      const part = Buffer.from(bytes.subarray(at, at + this.svc.dataBytes));
      const r = await this.c.call(
        this.svc,
        'Send',
        {
          Session: { type: 'string', value: this.id },
          Data: { type: 'string', value: part.toString('base64') },
        },
        what,
      );
      if (r.returnValue === 5)
        throw new ApiError('INVALID_STATE', `${what}: the console has ended (the system stopped)`);
      if (r.returnValue !== 0) throw fromReturnValue('Send', r.returnValue, { what }, this.c.where);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The host may have ended it already (the system stopped, or it expired): nothing to close then.
    await this.c
      .call(
        this.svc,
        'CloseSession',
        { Session: { type: 'string', value: this.id } },
        `Closing the console of "${this.name}"`,
      )
      .catch(() => undefined);
  }
}
