import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, JSON_TEXT, jsonTextOf, resultOf } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
import { Host } from '../host.js';
import { openSession } from './session.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-json-text-'));
let host: Host;
let admin: Api;
const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY };

beforeAll(async () => {
  host = await Host.open({ stateDir: join(root, 'state'), driverUri: 'test:///default' });
  admin = openSession(host, { user: 'root', role: 'admin', local: true, via: 'in-process' });
  resultOf(
    await admin.systems.define(
      buildDefinition({ name: 'web1', cpus: 2, memoryBytes: 64n << 20n }),
      UNTIL_DONE,
    ),
  );
});
afterAll(async () => {
  await host.close();
  rmSync(root, { recursive: true, force: true });
});

describe('jsonTextOf: a system detail with its stored definition spliced in', () => {
  it('writes the very text JSON.stringify writes, the definition unparsed', async () => {
    const detail = await admin.systems.get('web1');
    expect(typeof (detail as unknown as Record<symbol, unknown>)[JSON_TEXT]).toBe('function');
    const text = jsonTextOf(detail);
    expect(text).toBe(JSON.stringify(detail));
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(detail)));
    expect(JSON.parse(text).definition.system.ElementName).toBe('web1');
  });

  it('writes a definition changed after the read, not the stored text', async () => {
    const detail = await admin.systems.get('web1');
    detail.definition.system.ElementName = 'changed';
    const text = jsonTextOf(detail);
    expect(JSON.parse(text).definition.system.ElementName).toBe('changed');
    expect(text).toBe(JSON.stringify(detail));
  });

  it('is JSON.stringify for values without their own text', () => {
    expect(jsonTextOf({ a: 1, b: [true, null] })).toBe('{"a":1,"b":[true,null]}');
    expect(jsonTextOf(null)).toBe('null');
    expect(jsonTextOf('x')).toBe('"x"');
  });
});
