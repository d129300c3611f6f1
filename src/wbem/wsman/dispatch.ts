import { type CimContext, CimError, newContext, withDeadline } from '../../cim/index.js';
import { xmlText } from '../cimxml/escape.js';
import { classGet } from './class-get.js';
import { Deadline } from './deadline.js';
import { decodeInstanceElement } from './decode.js';
import type { WsmanDispatcher } from './dispatcher.js';
import { envelopeBytes, eprXml, instanceBody, uriStyle } from './encode.js';
import { enumerate, pull, release } from './enumerate.js';
import type { WsmanRequest } from './envelope.js';
import { FAULT_DETAIL, faultOfCimError, WsmanFault } from './errors.js';
import { faultXml } from './fault.js';
import { invokeAction } from './invoke.js';
import { ACTION, ANONYMOUS, CIMXML_CLASS_URI, EVENTING, NS, SECURITY_PROFILES } from './names.js';
import { instanceNameOf, type Resource, resolveResource } from './resource.js';

/** The smallest MaxEnvelopeSize a client may ask for (DSP0226 §6.2: 8192 octets). */
const MIN_ENVELOPE = 8192;

/** OptionSet options this server knows; others are ignored unless MustComply (then wsman:InvalidOptions). */
const KNOWN_OPTIONS = new Set(['msftwinrm:useprecisearrays']);

/** The answer to one request: the HTTP status and the SOAP envelope's bytes (UTF-8). */
export interface WsmanAnswer {
  status: number;
  bytes: Buffer;
}

/**
 * The Identify response (DSP0226 §11): protocol version, vendor, version, security profiles.
 *
 * @example
 * res.end(identifyXml(d));
 */
export function identifyXml(d: WsmanDispatcher): string {
  const profiles = SECURITY_PROFILES.map(
    (p) => `<wsmid:SecurityProfileName>${p}</wsmid:SecurityProfileName>`,
  ).join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:wsmid="${NS.wsmid}"><s:Header/><s:Body>` +
    `<wsmid:IdentifyResponse><wsmid:ProtocolVersion>${NS.wsman}</wsmid:ProtocolVersion>` +
    `<wsmid:ProductVendor>Vessel</wsmid:ProductVendor><wsmid:ProductVersion>${xmlText(d.productVersion)}</wsmid:ProductVersion>` +
    `<wsmid:SecurityProfiles>${profiles}</wsmid:SecurityProfiles></wsmid:IdentifyResponse></s:Body></s:Envelope>`
  );
}

/**
 * The fault answer of an error: WS-Man faults as they are, CIM errors mapped, anything else an internal error.
 *
 * @example
 * const { status, xml } = faultAnswer(d, new CimError('CIM_ERR_ACCESS_DENIED', 'no'), req.messageId); // 400
 */
export function faultAnswer(d: WsmanDispatcher, e: unknown, relatesTo: string | undefined): WsmanAnswer {
  let f: WsmanFault;
  if (e instanceof WsmanFault) f = e;
  else if (e instanceof CimError) f = faultOfCimError(e);
  else {
    d.onInternalError?.(e);
    f = new WsmanFault('WSMAN_INTERNAL_ERROR', 'The server failed to answer the request');
  }
  return { status: f.httpStatus, bytes: Buffer.from(faultXml(f, relatesTo)) };
}

/**
 * Answers one decoded WS-Man request as the caller (`ctx`): Identify, WS-Transfer Get/Put/Create/Delete,
 * WS-Enumeration Enumerate/Pull/Release and custom actions, all through the object manager. OperationTimeout bounds
 * the wait (wsman:TimedOut; what was started goes on, as a CIM job does), MaxEnvelopeSize the answer
 * (wsman:EncodingLimit; enumerations hand out only the items that fit).
 *
 * @example
 * const { status, xml } = await dispatchWsman(d, await readEnvelope(body, limits), newContext('admin', 'admin'));
 */
export async function dispatchWsman(
  d: WsmanDispatcher,
  req: WsmanRequest,
  ctx: CimContext,
): Promise<WsmanAnswer> {
  try {
    if (req.action === undefined) {
      if (req.body?.ns === NS.wsmid && req.body.local === 'Identify')
        return { status: 200, bytes: Buffer.from(identifyXml(d)) };
      throw new WsmanFault('WSMAN_HEADER_REQUIRED', 'The request has no wsa:Action');
    }
    if (req.messageId === undefined)
      throw new WsmanFault('WSMAN_HEADER_REQUIRED', 'The request has no wsa:MessageID');
    const max = req.maxEnvelopeSize;
    if (max !== undefined && max < MIN_ENVELOPE)
      throw new WsmanFault('WSMAN_ENCODING_LIMIT', `MaxEnvelopeSize must be at least ${MIN_ENVELOPE}`, {
        detail: FAULT_DETAIL.maxEnvelopeSize,
      });
    for (const o of req.options)
      if (o.mustComply && !KNOWN_OPTIONS.has(o.name.toLowerCase()))
        throw new WsmanFault('WSMAN_INVALID_OPTIONS', `The option "${o.name.slice(0, 64)}" is not supported`);
    const deadline = req.timeoutMs === undefined ? undefined : new Deadline(req.timeoutMs);
    // A CIM method waits for its job only while time is left, then answers the job (DSP1103), not TimedOut.
    const opCtx = deadline === undefined ? ctx : withDeadline(ctx, deadline.at);
    const work = operation(d, req, opCtx, max, deadline);
    const answer = !(work instanceof Promise)
      ? work
      : deadline === undefined
        ? await work
        : await deadline.race(work);
    const count =
      req.countEstimate && answer.count !== undefined
        ? `<wsman:TotalItemsCountEstimate>${answer.count}</wsman:TotalItemsCountEstimate>`
        : '';
    const bytes = envelopeBytes(answer.action, req.messageId, answer.body, count);
    if (max !== undefined && bytes.length > max)
      throw new WsmanFault('WSMAN_ENCODING_LIMIT', `The answer is larger than MaxEnvelopeSize ${max}`, {
        detail: FAULT_DETAIL.maxEnvelopeSize,
      });
    return { status: 200, bytes };
  } catch (e) {
    return faultAnswer(d, e, req.messageId);
  }
}

/** Envelope overhead left for headers when fitting enumeration items into MaxEnvelopeSize. */
const HEADER_ALLOWANCE = 2048;

/** What one operation answers: the response's action, its body, and the item count when asked for. */
type Answered = { action: string; body: string | Buffer; count?: number };

/**
 * The operation of a request. Not an async function: each case hands on its own promise (or value) as it is, which
 * spares the two turns of the microtask queue that an async function returning a promise costs; what a case throws
 * synchronously is a fault all the same (the caller's try).
 */
function operation(
  d: WsmanDispatcher,
  req: WsmanRequest,
  ctx: CimContext,
  max: number | undefined,
  deadline: Deadline | undefined,
): Promise<Answered> | Answered {
  const action = req.action!;
  switch (action) {
    case ACTION.enumerate:
      return enumerate(d, req, ctx, fitting(max), deadline).then((r) => ({
        action: `${action}Response`,
        ...r,
      }));
    case ACTION.pull:
      return { action: `${action}Response`, ...pull(d, req, ctx, fitting(max), deadline) };
    case ACTION.release:
      return { action: `${action}Response`, body: release(d, req, ctx) };
    case ACTION.get:
      if (req.resourceUri === CIMXML_CLASS_URI) return { action: `${action}Response`, ...classGet(d, req) };
      return transfer(d, req, ctx, action, deadline);
    case ACTION.put:
    case ACTION.delete:
    case ACTION.create:
      return transfer(d, req, ctx, action, deadline);
    case EVENTING.subscribe:
    case EVENTING.renew:
    case EVENTING.getStatus:
    case EVENTING.unsubscribe:
      if (!d.eventing)
        throw new WsmanFault(
          'WSMAN_ACTION_NOT_SUPPORTED',
          'This server serves no events (indications are off)',
        );
      return d.eventing.handle(req, ctx, req.to && /^https?:\/\//.test(req.to) ? req.to : ANONYMOUS);
    default: {
      const r = resolveResource(d.om, req.resourceUri, req.selectors);
      const cut = action.lastIndexOf('/');
      if (
        cut <= 0 ||
        action.slice(0, cut) !== r.uri ||
        !/^[A-Za-z_][A-Za-z0-9_]{0,255}$/.test(action.slice(cut + 1))
      )
        throw new WsmanFault(
          'WSMAN_ACTION_NOT_SUPPORTED',
          `The action "${action.slice(0, 200)}" is not supported`,
        );
      return invokeAction(d, req, r, action.slice(cut + 1), ctx, deadline);
    }
  }
}

/**
 * Whether the next enumeration item still fits into MaxEnvelopeSize `max`: items are offered in order and stop at
 * the first that does not fit, so a running total keeps this linear.
 */
function fitting(max: number | undefined): (taken: readonly string[], next: string) => boolean {
  if (max === undefined) return () => true;
  let total = 0;
  const budget = max - HEADER_ALLOWANCE;
  return (_taken, next) => {
    const n = Buffer.byteLength(next);
    if (total + n > budget) return false;
    total += n;
    return true;
  };
}

/** WS-Transfer (DSP0226 §7) on one instance named by the selectors. */
async function transfer(
  d: WsmanDispatcher,
  req: WsmanRequest,
  ctx: CimContext,
  action: string,
  deadline: Deadline | undefined,
): Promise<{ action: string; body: string | Buffer }> {
  const om = d.om;
  const r: Resource = resolveResource(om, req.resourceUri, req.selectors);
  const response = `${action}Response`;
  if (action === ACTION.create) {
    // DSP0226 §7.6 where a provider creates (DSP1054's filters, destinations, subscriptions); systems are defined
    // with DefineSystem.
    if (!req.body) throw new WsmanFault('WSMAN_SCHEMA_VALIDATION', 'Create needs the instance in the body');
    const inst = decodeInstanceElement(om, r.ns, req.body);
    if (r.className && r.className.toLowerCase() !== inst.className.toLowerCase())
      throw new WsmanFault(
        'WSMAN_SCHEMA_VALIDATION',
        `The body is a ${inst.className}, not a ${r.className}`,
      );
    const created = await om.createInstance(ctx, r.ns.name, inst);
    return {
      action: response,
      body: `<wxf:ResourceCreated xmlns:wxf="${NS.wxf}">${eprXml(created, r.ns.name, uriStyle(r.uri))}</wxf:ResourceCreated>`,
    };
  }
  const name = instanceNameOf(om, r);
  if (action === ACTION.delete) {
    deadline?.beforeChange();
    await om.deleteInstance(ctx, r.ns.name, name);
    return { action: response, body: '' };
  }
  if (action === ACTION.put) {
    if (!req.body) throw new WsmanFault('WSMAN_SCHEMA_VALIDATION', 'Put needs the instance in the body');
    const inst = decodeInstanceElement(om, r.ns, req.body);
    // Only what the body carries is changed: a partial representation does not clear the rest.
    deadline?.beforeChange();
    await om.modifyInstance(ctx, r.ns.name, { ...inst, path: name }, Object.keys(inst.properties));
  }
  // After a Put the instance is read afresh: the operation's memo holds what was read before the change.
  const read = action === ACTION.put ? newContext(ctx.user, ctx.role) : ctx;
  const inst = await om.getInstance(read, r.ns.name, name);
  const at = inst.path?.namespace;
  const ns = at === undefined || at === r.ns.name ? r.ns : (om.repo.findNamespace(at) ?? r.ns);
  return {
    action: response,
    body: instanceBody(inst, { lookup: (c) => ns.get(c), namespace: ns.name, style: uriStyle(r.uri) }),
  };
}
