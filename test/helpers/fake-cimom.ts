import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A scripted CIM-XML peer for client tests: an HTTP server on 127.0.0.1 whose every answer a test writes, byte
 * for byte if it likes (garbage, a slow drip, a cut connection), plus a small DSP0201 builder to write well-formed
 * answers the way other CIMOMs (libvirt-cim, OpenPegasus, SFCB) shape them. It parses requests with regular
 * expressions only, so it shares no code with the client it tests.
 */

/** What the peer saw of one request. */
export interface FakeRequest {
  id: string;
  /** The CIMMethod header: `EnumerateInstances`, `RequestStateChange`, ... */
  method: string;
  namespace: string;
  /** ClassName (intrinsic), else the target's class (extrinsic, GetInstance, associations). */
  className?: string | undefined;
  assocClass?: string | undefined;
  resultClass?: string | undefined;
  /** The request body. */
  body: string;
  headers: IncomingMessage['headers'];
}

/** A scripted peer. */
export interface FakeCimom {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

const attr = (body: string, re: RegExp) => re.exec(body)?.[1];

function parse(req: IncomingMessage, body: string): FakeRequest {
  const ns = [
    ...(/<LOCALNAMESPACEPATH>(.*?)<\/LOCALNAMESPACEPATH>/s.exec(body)?.[1] ?? '').matchAll(/NAME="([^"]+)"/g),
  ]
    .map((m) => m[1])
    .join('/');
  const iparam = (name: string) =>
    attr(
      body,
      new RegExp(`<IPARAMVALUE NAME="${name}">\\s*<(?:CLASSNAME|INSTANCENAME) (?:CLASS)?NAME="([^"]+)"`),
    );
  return {
    id: attr(body, /<MESSAGE ID="([^"]+)"/) ?? '0',
    method: String(req.headers.cimmethod ?? ''),
    namespace: ns,
    className:
      iparam('ClassName') ??
      iparam('InstanceName') ??
      iparam('ObjectName') ??
      attr(body, /<INSTANCENAME CLASSNAME="([^"]+)"/),
    assocClass: iparam('AssocClass'),
    resultClass: iparam('ResultClass'),
    body,
    headers: req.headers,
  };
}

/**
 * Starts a peer; `answer` writes each response (use {@link reply} for a CIM-XML one). Sockets are tracked so that
 * `close` ends even a peer that never answers.
 *
 * @example
 * const peer = await startFakeCimom((req, res) => reply(res, imethod(req, errorXml(6, 'gone'))));
 */
export async function startFakeCimom(
  answer: (req: FakeRequest, res: ServerResponse) => void | Promise<void>,
): Promise<FakeCimom> {
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = parse(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(r);
      Promise.resolve(answer(r, res)).catch(() => res.socket?.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Writes a 200 CIM-XML answer. */
export function reply(res: ServerResponse, xml: string): void {
  const body = Buffer.from(xml, 'utf8');
  res.writeHead(200, {
    'Content-Type': 'application/xml; charset="utf-8"',
    'Content-Length': body.length,
    CIMOperation: 'MethodResponse',
  });
  res.end(body);
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A property value: text, a number (uint16 unless `[type, value]` says otherwise), a boolean, or a list. */
export type FakeValue =
  | string
  | number
  | boolean
  | readonly string[]
  | readonly number[]
  | { ref: FakeInstance };

/** An instance of the builder: class, keys (strings), properties, namespace. */
export interface FakeInstance {
  className: string;
  keys: Readonly<Record<string, string>>;
  props?: Readonly<Record<string, FakeValue | undefined>>;
  namespace: string;
}

function typeOf(v: FakeValue): string {
  const one = Array.isArray(v) ? v[0] : v;
  return typeof one === 'number' ? 'uint16' : typeof one === 'boolean' ? 'boolean' : 'string';
}

function valueXml(v: string | number | boolean): string {
  return `<VALUE>${esc(typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v))}</VALUE>`;
}

function propertyXml(name: string, v: FakeValue | undefined): string {
  if (v === undefined) return `<PROPERTY NAME="${name}" TYPE="string"></PROPERTY>`;
  if (typeof v === 'object' && 'ref' in v)
    return `<PROPERTY.REFERENCE NAME="${name}"><VALUE.REFERENCE>${instancePath(v.ref)}</VALUE.REFERENCE></PROPERTY.REFERENCE>`;
  if (Array.isArray(v))
    return `<PROPERTY.ARRAY NAME="${name}" TYPE="${typeOf(v)}"><VALUE.ARRAY>${(v as Array<string | number>).map(valueXml).join('')}</VALUE.ARRAY></PROPERTY.ARRAY>`;
  return `<PROPERTY NAME="${name}" TYPE="${typeOf(v)}">${valueXml(v as string | number | boolean)}</PROPERTY>`;
}

/** INSTANCE: keys first, then the other properties. */
export function instanceXml(i: FakeInstance): string {
  const all = { ...i.keys, ...(i.props ?? {}) };
  return `<INSTANCE CLASSNAME="${i.className}">${Object.entries(all)
    .map(([k, v]) => propertyXml(k, v))
    .join('')}</INSTANCE>`;
}

/** INSTANCENAME with string keys. */
export function instanceName(i: FakeInstance): string {
  return `<INSTANCENAME CLASSNAME="${i.className}">${Object.entries(i.keys)
    .map(([k, v]) => `<KEYBINDING NAME="${k}"><KEYVALUE VALUETYPE="string">${esc(v)}</KEYVALUE></KEYBINDING>`)
    .join('')}</INSTANCENAME>`;
}

function nsPath(ns: string): string {
  return `<LOCALNAMESPACEPATH>${ns
    .split('/')
    .map((p) => `<NAMESPACE NAME="${p}"/>`)
    .join('')}</LOCALNAMESPACEPATH>`;
}

/** INSTANCEPATH with a host, as OpenPegasus and SFCB write association results. */
export function instancePath(i: FakeInstance, host = 'cimom.example.org'): string {
  return `<INSTANCEPATH><NAMESPACEPATH><HOST>${host}</HOST>${nsPath(i.namespace)}</NAMESPACEPATH>${instanceName(i)}</INSTANCEPATH>`;
}

/** EnumerateInstances items. */
export const named = (list: readonly FakeInstance[]) =>
  list.map((i) => `<VALUE.NAMEDINSTANCE>${instanceName(i)}${instanceXml(i)}</VALUE.NAMEDINSTANCE>`).join('');

/** Associators / References items. */
export const withPath = (list: readonly FakeInstance[]) =>
  list
    .map((i) => `<VALUE.OBJECTWITHPATH>${instancePath(i)}${instanceXml(i)}</VALUE.OBJECTWITHPATH>`)
    .join('');

/** AssociatorNames / ReferenceNames items. */
export const paths = (list: readonly FakeInstance[]) =>
  list.map((i) => `<OBJECTPATH>${instancePath(i)}</OBJECTPATH>`).join('');

const HEAD = '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.0">';

/** An intrinsic answer; `content` goes inside IRETURNVALUE (or is an ERROR when it starts with `<ERROR`). */
export function imethod(req: FakeRequest, content: string): string {
  const inner = content.startsWith('<ERROR')
    ? content
    : content === ''
      ? '<IRETURNVALUE/>'
      : `<IRETURNVALUE>${content}</IRETURNVALUE>`;
  return `${HEAD}<MESSAGE ID="${req.id}" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="${req.method}">${inner}</IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>`;
}

/** An extrinsic answer with a return value and OUT parameters (already encoded PARAMVALUEs). */
export function method(req: FakeRequest, returnValue: number, params = ''): string {
  return `${HEAD}<MESSAGE ID="${req.id}" PROTOCOLVERSION="1.0"><SIMPLERSP><METHODRESPONSE NAME="${req.method}"><RETURNVALUE PARAMTYPE="uint32"><VALUE>${returnValue}</VALUE></RETURNVALUE>${params}</METHODRESPONSE></SIMPLERSP></MESSAGE></CIM>`;
}

/** An ERROR element (DSP0201), with OpenPegasus's `CIM_ERR_NAME: text` description. */
export function errorXml(code: number, text: string): string {
  return `<ERROR CODE="${code}" DESCRIPTION="${esc(text)}"/>`;
}

/** A CLASS with string, numeric and array properties (types as given), no qualifiers. */
export function classXml(name: string, superClass: string, props: Readonly<Record<string, string>>): string {
  return `<CLASS NAME="${name}" SUPERCLASS="${superClass}">${Object.entries(props)
    .map(([p, t]) =>
      t.endsWith('[]')
        ? `<PROPERTY.ARRAY NAME="${p}" TYPE="${t.slice(0, -2)}"></PROPERTY.ARRAY>`
        : `<PROPERTY NAME="${p}" TYPE="${t}"></PROPERTY>`,
    )
    .join('')}</CLASS>`;
}
