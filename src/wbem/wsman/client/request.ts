import { randomUUID } from 'node:crypto';
import type { CimInstanceName } from '../../../cim/index.js';
import { xmlAttr, xmlText } from '../../cimxml/escape.js';
import { eprXml } from '../encode.js';
import { ANONYMOUS, NS } from '../names.js';
import { NAMESPACE_SELECTOR } from '../resource.js';

/** A selector value: text, or an instance name written as a nested EPR (a reference key). */
export type SelectorValue = string | CimInstanceName;

/** One request of the client: the addressing and WS-Man headers and the body. */
export interface ClientRequest {
  /** wsa:To: the service's URL. */
  to: string;
  /** undefined for Identify. */
  action: string | undefined;
  resourceUri?: string | undefined;
  /** Selectors in order; `__cimnamespace` among them when the resource needs one. */
  selectors?: ReadonlyArray<readonly [string, SelectorValue]> | undefined;
  /** OptionSet options (name, value). */
  options?: ReadonlyArray<readonly [string, string]> | undefined;
  /** MaxEnvelopeSize the answer may have, bytes. */
  maxEnvelopeSize?: number | undefined;
  /** OperationTimeout, ms. */
  timeoutMs?: number | undefined;
  /** The body's content (XML). */
  body: string;
}

/**
 * An xs:duration of seconds for OperationTimeout (DSP0226 §6.1).
 *
 * @example
 * durationOf(60_000); // 'PT60.000S'
 */
export function durationOf(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(3)}S`;
}

/**
 * The SelectorSet of a request or EPR (DSP0226 §7.2, DSP0227 §7.4): text values escaped, instance names as
 * nested EPRs in the DMTF URI form.
 *
 * @example
 * selectorSetXml([['__cimnamespace', 'root/virtualization'], ['Name', 'vm1']]);
 */
export function selectorSetXml(
  selectors: ReadonlyArray<readonly [string, SelectorValue]>,
  namespace: string,
): string {
  let s = '<wsman:SelectorSet>';
  for (const [k, v] of selectors)
    s += `<wsman:Selector Name="${xmlAttr(k)}">${
      typeof v === 'string'
        ? xmlText(v)
        : `<wsa:EndpointReference>${eprXml(v, namespace, 'dmtf')}</wsa:EndpointReference>`
    }</wsman:Selector>`;
  return `${s}</wsman:SelectorSet>`;
}

/**
 * The selectors naming an instance: `__cimnamespace` first, then its keys.
 *
 * @example
 * selectorsOf({ className: 'CIM_ComputerSystem', keys: { Name: 'vm1' } }, 'root/virtualization');
 */
export function selectorsOf(name: CimInstanceName, defaultNs: string): Array<[string, SelectorValue]> {
  return [[NAMESPACE_SELECTOR, name.namespace ?? defaultNs], ...Object.entries(name.keys)];
}

/**
 * A SOAP 1.2 request envelope with WS-Addressing 2004/08 and WS-Man headers (DSP0226 §5–6), as WinRM and
 * openwsman clients send them: To, ResourceURI, anonymous ReplyTo, Action (mustUnderstand), a fresh MessageID,
 * MaxEnvelopeSize, OperationTimeout, SelectorSet and OptionSet when given. Identify has no Action (DSP0226 §11).
 *
 * @example
 * requestXml({ to: 'http://h:5985/wsman', action: ACTION.get, resourceUri, selectors, body: '' });
 */
export function requestXml(r: ClientRequest, namespace: string): string {
  let h = `<wsa:To>${xmlText(r.to)}</wsa:To>`;
  if (r.resourceUri !== undefined)
    h += `<wsman:ResourceURI s:mustUnderstand="true">${xmlText(r.resourceUri)}</wsman:ResourceURI>`;
  if (r.action !== undefined) {
    h += `<wsa:ReplyTo><wsa:Address s:mustUnderstand="true">${ANONYMOUS}</wsa:Address></wsa:ReplyTo>`;
    h += `<wsa:Action s:mustUnderstand="true">${xmlText(r.action)}</wsa:Action>`;
    h += `<wsa:MessageID>uuid:${randomUUID()}</wsa:MessageID>`;
  }
  if (r.maxEnvelopeSize !== undefined)
    h += `<wsman:MaxEnvelopeSize s:mustUnderstand="true">${r.maxEnvelopeSize}</wsman:MaxEnvelopeSize>`;
  if (r.timeoutMs !== undefined)
    h += `<wsman:OperationTimeout>${durationOf(r.timeoutMs)}</wsman:OperationTimeout>`;
  if (r.selectors && r.selectors.length > 0) h += selectorSetXml(r.selectors, namespace);
  if (r.options && r.options.length > 0)
    h += `<wsman:OptionSet>${r.options.map(([k, v]) => `<wsman:Option Name="${xmlAttr(k)}">${xmlText(v)}</wsman:Option>`).join('')}</wsman:OptionSet>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:wsman="${NS.wsman}" xmlns:wsen="${NS.wsen}" xmlns:wsmb="${NS.wsmb}" xmlns:wsmid="${NS.wsmid}" xmlns:xsi="${NS.xsi}" xmlns:cim="${NS.cim}">` +
    `<s:Header>${h}</s:Header><s:Body>${r.body}</s:Body></s:Envelope>`
  );
}
