import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/cli.js';
import type { HypervisorError } from '../errors.js';
import { QmpClient, type QmpEvent } from './qmp.js';

interface Step {
  dir: '<' | '>';
  msg: Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'vessel-qmp-replay-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A fake QEMU that replays a recorded conversation: it sends each `<` message and, for each `>` message, reads
 * one line from the client and checks it equals the recording (ids included, as the client numbers them the
 * same way). A mismatch is reported through `mismatches`.
 */
async function replayPeer(steps: Step[]): Promise<{ path: string; server: Server; mismatches: string[] }> {
  const path = join(dir, `peer${n++}.sock`);
  const mismatches: string[] = [];
  const server = createServer((sock: Socket) => {
    let buf = '';
    let i = 0;
    const pump = () => {
      while (i < steps.length && steps[i]!.dir === '<') sock.write(`${JSON.stringify(steps[i++]!.msg)}\r\n`);
      if (i >= steps.length) sock.end();
    };
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const want = steps[i++];
        if (
          want === undefined ||
          want.dir !== '>' ||
          JSON.stringify(JSON.parse(line)) !== JSON.stringify(want.msg)
        ) {
          mismatches.push(`step ${i}: got ${line}, want ${JSON.stringify(want?.msg)}`);
        }
        pump();
        nl = buf.indexOf('\n');
      }
    });
    pump();
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { path, server, mismatches };
}

/** A peer that writes raw text, then optionally answers each client line with `answer(line)`. */
async function rawPeer(text: string, answer?: (line: string) => string | undefined): Promise<string> {
  const path = join(dir, `raw${n++}.sock`);
  const server = createServer((sock) => {
    sock.write(text);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      for (const line of d.split('\n').filter(Boolean)) {
        const a = answer?.(line);
        if (a === undefined) continue;
        if (a === 'CLOSE') sock.destroy();
        else sock.write(a);
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return path;
}

const GREETING = `${JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: '' }, capabilities: ['oob'] } })}\r\n`;
const caps = (line: string) => {
  const m = JSON.parse(line) as { id: string; execute: string };
  return m.execute === 'qmp_capabilities' ? `{"return": {}, "id": "${m.id}"}\r\n` : undefined;
};

async function failure(p: Promise<unknown>): Promise<HypervisorError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (e === undefined) throw new Error('expected a failure');
  return e as HypervisorError;
}

describe('QmpClient replaying recorded conversations', () => {
  it('replays the live lifecycle recording: answers, errors and events in order', async () => {
    const steps = readFileSync(join(ROOT, 'test/fixtures/hypervisor/qmp/live-lifecycle.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Step);
    const peer = await replayPeer(steps);
    const qmp = await QmpClient.connect(peer.path);
    const events: string[] = [];
    qmp.on('event', (e: QmpEvent) => events.push(e.event));
    const answers: unknown[] = [];
    for (const s of steps.slice(2)) {
      if (s.dir !== '>') continue;
      answers.push(await qmp.execute(String(s.msg.execute)).catch((e: HypervisorError) => e.code));
    }
    await qmp.closed;
    peer.server.close();
    expect(peer.mismatches).toEqual([]);
    expect(qmp.greeting?.version.package).toContain('Debian');
    expect(answers).toEqual([
      { status: 'prelaunch', singlestep: false, running: false },
      {},
      { status: 'running', singlestep: false, running: true },
      {},
      {},
      {},
      'QMP_COMMAND',
      {},
    ]);
    expect(events).toEqual(['RESUME', 'STOP', 'RESUME', 'RESET', 'SHUTDOWN']);
  });
});

describe('QmpClient against broken or hostile peers', () => {
  it('rejects a first line that is not JSON', async () => {
    const e = await failure(QmpClient.connect(await rawPeer('Welcome to QEMU\r\n')));
    expect([e.code, e.message]).toEqual([
      'QMP_PROTOCOL',
      'QEMU sent a line that is not JSON: Welcome to QEMU',
    ]);
  });

  it('rejects a greeting that is not a QMP greeting', async () => {
    const e = await failure(QmpClient.connect(await rawPeer('{"hello": 1}\n')));
    expect(e.message).toBe('the first message is not a QMP greeting: {"hello": 1}');
  });

  it('rejects JSON that is not an object', async () => {
    const e = await failure(QmpClient.connect(await rawPeer('[1,2,3]\n')));
    expect(e.message).toBe('QEMU sent JSON that is not an object: [1,2,3]');
  });

  it('closes on an oversized line without a newline', async () => {
    const path = await rawPeer(`{"QMP": "${'x'.repeat(70_000)}`);
    const e = await failure(QmpClient.connect(path, { maxLineBytes: 65_536 }));
    expect([e.code, e.message]).toEqual(['QMP_PROTOCOL', 'a line from QEMU is longer than 65536 bytes']);
  });

  it('times out when no greeting comes', async () => {
    const e = await failure(QmpClient.connect(await rawPeer(''), { timeoutMs: 100 }));
    expect([e.code, e.message]).toEqual(['QMP_TIMEOUT', 'no QMP greeting within 100 ms']);
  });

  it('fails pending commands with QMP_CLOSED when the peer goes away', async () => {
    const path = await rawPeer(GREETING, (l) => caps(l) ?? 'CLOSE');
    const qmp = await QmpClient.connect(path);
    const e = await failure(qmp.execute('query-status'));
    expect(e.code).toBe('QMP_CLOSED');
  });

  it('closes when QEMU answers an id that was never asked', async () => {
    const path = await rawPeer(GREETING, (l) => caps(l) ?? '{"return": {}, "id": "forged-7"}\n');
    const qmp = await QmpClient.connect(path);
    const e = await failure(qmp.execute('query-status'));
    expect([e.code, e.message]).toEqual([
      'QMP_PROTOCOL',
      'QEMU answered a command that was not asked: {"return": {}, "id": "forged-7"}',
    ]);
  });

  it('rejects an answer with neither return nor error, and times out a command with no answer', async () => {
    const path = await rawPeer(GREETING, (l) => {
      const m = JSON.parse(l) as { id: string; execute: string };
      if (m.execute === 'qmp_capabilities') return caps(l);
      if (m.execute === 'odd') return `{"id": "${m.id}"}\n`;
      return undefined;
    });
    const qmp = await QmpClient.connect(path);
    expect((await failure(qmp.execute('odd'))).code).toBe('QMP_PROTOCOL');
    const slow = await failure(qmp.execute('query-status', undefined, 50));
    expect([slow.code, slow.message]).toEqual([
      'QMP_TIMEOUT',
      'QMP command "query-status" got no answer within 50 ms',
    ]);
    qmp.close();
  });

  it('delivers events that arrive between an answer split across packets', async () => {
    const path = await rawPeer(GREETING, (l) => {
      const m = JSON.parse(l) as { id: string; execute: string };
      if (m.execute === 'qmp_capabilities') return caps(l);
      return `{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}\r\n{"return": {"status": "paused"}, "id": "${m.id}"}\r\n`;
    });
    const qmp = await QmpClient.connect(path);
    const events: QmpEvent[] = [];
    qmp.on('event', (e: QmpEvent) => events.push(e));
    expect(await qmp.execute('query-status')).toEqual({ status: 'paused' });
    expect(events).toEqual([{ event: 'STOP', data: {}, timestamp: { seconds: 1, microseconds: 2 } }]);
    qmp.close();
  });

  it('says where it could not connect', async () => {
    const e = await failure(QmpClient.connect(join(dir, 'absent.sock')));
    expect(e.code).toBe('QMP_CLOSED');
    expect(e.message).toContain('Cannot connect to QMP at');
  });
});
