import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FAKE_BUG_CASES,
  FAKE_DECLARATIONS,
  FAKE_FIXTURES,
  type FakeBug,
  fakeApi,
} from '../conformance/fake.case.test.js';
import type { ApiSubject } from '../conformance/types.case.test.js';
import { API_CASES, runApiConformance, runCase } from '../conformance.case.test.js';
import { SocketApi } from './client.js';
import { serveApi } from './server.js';

/**
 * The unix-socket transport under the API conformance runner: SocketApi connected to serveApi serving the
 * in-memory FAKE of the Api (conformance/fake.case.test.ts). The fake stands for whatever implements the Api;
 * what is tested is that the socket carries it unchanged: the same cases pass, with the same declarations, and
 * every planted bug of the fake fails its case through the socket exactly as it does in process.
 */

const dir = mkdtempSync(join(tmpdir(), 'vessel-sock-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh fake behind a fresh server, reached by a SocketApi. */
async function overSocket(bugs: FakeBug[] = []): Promise<ApiSubject> {
  const fake = fakeApi(new Set(bugs));
  const server = serveApi(() => fake);
  const path = join(dir, `c${n++}.sock`);
  await server.listen(path);
  const api = await SocketApi.connect(path);
  return {
    api,
    close: async () => {
      await api.close();
      await server.close();
    },
  };
}

runApiConformance({
  label: 'unix socket (SocketApi -> serveApi) carrying the in-memory fake of the Api',
  open: () => overSocket(),
  fixtures: FAKE_FIXTURES,
  ...FAKE_DECLARATIONS,
});

async function outcome(id: (typeof API_CASES)[number]['id'], subject: ApiSubject): Promise<string> {
  try {
    await runCase(API_CASES.find((c) => c.id === id)!, subject, FAKE_FIXTURES);
    return 'passed';
  } catch (e) {
    return `failed: ${(e as Error).message}`;
  } finally {
    await subject.close();
  }
}

describe('the socket transport changes no outcome', () => {
  it.each(FAKE_BUG_CASES)(
    '%s fails through the socket as in process on a fake with the bug %s',
    async (id, bug, why) => {
      const direct = fakeApi(new Set([bug]));
      const inProcess = await outcome(id, { api: direct, close: () => direct.close() });
      const socket = await outcome(id, await overSocket([bug]));
      expect(inProcess).toMatch(why);
      expect(socket).toBe(inProcess);
    },
  );
});
