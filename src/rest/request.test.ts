import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { RestError } from './errors.js';
import { DEFAULT_WAIT_MS, decodeBody, decodeQuery, ifMatchOf, waitOf } from './request.js';
import { Router } from './router.js';
import { ROUTES } from './routes.js';
import { operationFor, SystemListQuery } from './schemas.js';

const json = { 'content-type': 'application/json; charset=utf-8' };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof RestError ? e.code : String(e);
  }
  return 'none';
};

describe('decodeBody()', () => {
  const S = Type.Object({ a: Type.Integer() }, { additionalProperties: false });
  it('decodes JSON of the schema, with +json media types too', () => {
    expect(decodeBody(S, json, Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(decodeBody(S, { 'content-type': 'application/merge-patch+json' }, Buffer.from('{"a":2}'))).toEqual(
      { a: 2 },
    );
  });
  it('refuses what is not JSON of the schema, saying which', () => {
    expect(codeOf(() => decodeBody(S, {}, Buffer.from('{"a":1}')))).toBe('REST_MEDIA_TYPE');
    expect(codeOf(() => decodeBody(S, json, Buffer.from('{"a":')))).toBe('REST_MALFORMED_JSON');
    expect(codeOf(() => decodeBody(S, json, Buffer.from('{"a":1,"b":2}')))).toBe('REST_INVALID_BODY');
    expect(codeOf(() => decodeBody(S, json, Buffer.from('{"__proto__":{"a":1}}')))).toBe('REST_INVALID_BODY');
    expect(codeOf(() => decodeBody(S, json, Buffer.alloc(0)))).toBe('REST_INVALID_BODY');
  });
});

describe('decodeQuery()', () => {
  it('converts by the schema: integers, booleans, repeated arrays', () => {
    expect(
      decodeQuery(SystemListQuery, new URLSearchParams('limit=5&detail=true&state=running&state=paused')),
    ).toEqual({
      limit: 5,
      detail: true,
      state: ['running', 'paused'],
    });
  });
  it('refuses unknown, repeated, mistyped and out-of-range parameters', () => {
    for (const q of [
      'x=1',
      'limit=1&limit=2',
      'limit=1.5',
      'limit=99999999999999999999',
      'detail=yes',
      'limit=0',
    ])
      expect(
        codeOf(() => decodeQuery(SystemListQuery, new URLSearchParams(q))),
        q,
      ).toBe('REST_INVALID_QUERY');
  });
});

describe('headers', () => {
  it('Prefer: respond-async, wait=N (capped), or the default', () => {
    expect(waitOf({})).toBe(DEFAULT_WAIT_MS);
    expect(waitOf({ prefer: 'respond-async' })).toBe(0);
    expect(waitOf({ prefer: 'wait=3' })).toBe(3000);
    expect(waitOf({ prefer: 'wait=999999' })).toBe(300_000);
    expect(waitOf({ prefer: 'return=minimal' })).toBe(DEFAULT_WAIT_MS);
  });
  it('If-Match: one quoted strong tag; * and absence are no precondition', () => {
    expect(ifMatchOf({ 'if-match': '"abc"' })).toBe('abc');
    expect(ifMatchOf({ 'if-match': '*' })).toBeUndefined();
    expect(ifMatchOf({})).toBeUndefined();
    for (const bad of ['abc', 'W/"abc"', '"a", "b"', '""'])
      expect(
        codeOf(() => ifMatchOf({ 'if-match': bad })),
        bad,
      ).toBe('REST_INVALID_HEADER');
  });
});

describe('Router', () => {
  const r = new Router(ROUTES);
  it('matches templates and decodes segments, %2F staying inside one', () => {
    const m = r.match('GET', '/api/v1/systems/a%2Fb/resources/x%3Ay');
    expect([m.route.operationId, m.params.id, m.params.rid]).toEqual(['getResource', 'a/b', 'x:y']);
  });
  it('answers 405 with Allow for a known path, 404 otherwise', () => {
    expect(codeOf(() => r.match('PATCH', '/api/v1/systems'))).toBe('REST_METHOD');
    expect(codeOf(() => r.match('GET', '/api/v1/systemsx'))).toBe('REST_NO_ROUTE');
    expect(codeOf(() => r.match('GET', '/api/v1/systems//resources'))).toBe('REST_NO_ROUTE');
  });
});

describe('operationFor()', () => {
  it('running is resume from paused or suspended, start otherwise; stopped powers off', () => {
    expect(operationFor('running', 'paused')).toBe('resume');
    expect(operationFor('running', 'suspended')).toBe('resume');
    expect(operationFor('running', 'stopped')).toBe('start');
    expect(operationFor('stopped', 'running')).toBe('powerOff');
    expect(operationFor('shutdown', 'running')).toBe('shutdown');
    expect(operationFor('paused', 'running')).toBe('pause');
  });
});
