import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

/**
 * The REST tests' client: real HTTP requests (fetch), and every response checked against the checked-in OpenAPI
 * document (ajv, JSON Schema 2020-12): the status must be one the operation documents (or its `default`), the
 * content type one it names, the body valid against its schema. Not run alone (`*.case.test.ts`).
 */

/** Where the checked-in contract lies. */
export const OPENAPI_FILE = fileURLToPath(new URL('./openapi.json', import.meta.url));

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, Resp> }>>;
  components: { responses: Record<string, Resp> };
};
type Resp = { $ref?: string; content?: Record<string, { schema?: unknown }> };

const BASE = 'https://vessel.invalid/openapi.json';
let loaded: { doc: Doc; ajv: Ajv2020 } | undefined;

/** The contract and its validator, read at the first call. */
function contract(): { doc: Doc; ajv: Ajv2020 } {
  if (loaded === undefined) {
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Doc;
    const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: false });
    (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema({ ...doc, $id: BASE });
    loaded = { doc, ajv };
  }
  return loaded;
}
const compiledBy = new Map<string, ValidateFunction>();

function compile(schema: unknown): ValidateFunction {
  const text = JSON.stringify(schema);
  const v = compiledBy.get(text);
  if (v === undefined) {
    const abs = JSON.parse(text.replaceAll('"$ref":"#/', `"$ref":"${BASE}#/`)) as object;
    const made = contract().ajv.compile({ ...abs, $id: `https://vessel.invalid/r${compiledBy.size}` });
    compiledBy.set(text, made);
    return made;
  }
  return v;
}

/**
 * Checks `value` against a schema of the checked-in document: a component (`ApiEvent`), or the `x-vessel-item-data`
 * of an operation's event stream when `of` names it (`get /events`).
 *
 * @example
 * checkSchema('#/components/schemas/ApiEvent', JSON.parse(message.data));
 */
export function checkSchema(ref: string, value: unknown): void {
  const v = compile({ $ref: ref });
  if (!v(value))
    throw new Error(
      `${ref}: ${JSON.stringify(value).slice(0, 200)} breaks the contract: ${contract().ajv.errorsText(v.errors)}`,
    );
}

/** The document's operation at `path` for `method` (lower case), as JSON. */
export function operationOf(path: string, method: string): Record<string, unknown> | undefined {
  return contract().doc.paths[path]?.[method] as Record<string, unknown> | undefined;
}

/** The document's path template that `path` (below /api/v1, without the query) is an instance of. */
export function templateOf(path: string): string | undefined {
  const { doc } = contract();
  const parts = path.split('/');
  return Object.keys(doc.paths).find((t) => {
    const ts = t.split('/');
    return ts.length === parts.length && ts.every((s, i) => s.startsWith('{') || s === parts[i]);
  });
}

function responseSpec(method: string, path: string, status: number): Resp {
  const { doc } = contract();
  const template = templateOf(path);
  const op = template === undefined ? undefined : doc.paths[template]?.[method.toLowerCase()];
  let r: Resp | undefined = op?.responses[String(status)] ?? op?.responses.default;
  // A path or method the document lacks is answered as a problem.
  if (op === undefined)
    r = status === 401 ? doc.components.responses.Unauthorized : doc.components.responses.Problem;
  if (r?.$ref !== undefined) r = doc.components.responses[r.$ref.split('/').pop() ?? ''];
  if (r === undefined) throw new Error(`${method} ${path}: status ${status} is not documented`);
  return r;
}

/** One answer. */
export interface RestReply {
  status: number;
  headers: Headers;
  text: string;
  /** The body's bytes (a download's content). */
  bytes: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever the body has
  json: any;
}

/** Options of {@link call}. */
export interface CallOptions {
  body?: unknown;
  /** Sent as it is (no JSON encoding, no Content-Type unless given). */
  raw?: string | Buffer | Uint8Array;
  headers?: Record<string, string>;
}

/**
 * Sends one request to the REST edge at `base` (http://127.0.0.1:PORT/api/v1) as `user` and checks the answer
 * against the contract.
 *
 * @example
 * const r = await call(h.restUrl, ['admin', 'secret'], 'GET', '/systems/vm1');
 */
export async function call(
  base: string,
  user: readonly [string, string] | undefined,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<RestReply> {
  const headers: Record<string, string> = { ...o.headers };
  if (user) headers.Authorization = `Basic ${Buffer.from(`${user[0]}:${user[1]}`).toString('base64')}`;
  let body: string | Buffer | Uint8Array | undefined = o.raw;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    // An endless stream: its status and media type are checked, its body left to the SSE tests.
    await res.body?.cancel();
    const spec = responseSpec(method, path.split('?')[0] ?? '', res.status);
    expect(
      spec.content?.['text/event-stream'],
      `${method} ${path}: no event stream documented`,
    ).toBeDefined();
    return { status: res.status, headers: res.headers, text: '', bytes: Buffer.alloc(0), json: undefined };
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  const reply: RestReply = { status: res.status, headers: res.headers, text, bytes, json: undefined };
  const spec = responseSpec(method, path.split('?')[0] ?? '', res.status);
  const type = (res.headers.get('content-type') ?? '').split(';')[0] ?? '';
  if (spec.content === undefined) {
    expect(text, `${method} ${path} ${res.status} has no documented body`).toBe('');
    return reply;
  }
  const media = spec.content[type];
  expect(media, `${method} ${path} ${res.status}: ${type} is not documented`).toBeDefined();
  if (type !== 'application/json' && !type.endsWith('+json')) return reply;
  reply.json = JSON.parse(text);
  if (media?.schema !== undefined) {
    const v = compile(media.schema);
    if (!v(reply.json))
      throw new Error(
        `${method} ${path} ${res.status}: body breaks the contract: ${contract().ajv.errorsText(v.errors)}`,
      );
  }
  return reply;
}
