import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/cli.js';
import { HypervisorError } from '../errors.js';
import { QmpClient, type QmpEvent } from './qmp.js';

/**
 * Live QMP against a real qemu-system-x86_64 (-accel tcg, no guest, paused with -S). With VESSEL_RECORD_QMP=1 the
 * conversation is written to test/fixtures/hypervisor/qmp/live-lifecycle.jsonl, which qmp.test.ts replays.
 */
const RECORD = process.env.VESSEL_RECORD_QMP === '1';
const FIXTURE = join(ROOT, 'test', 'fixtures', 'hypervisor', 'qmp', 'live-lifecycle.jsonl');

describe('QmpClient against a live QEMU', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-qmp-'));
  const sock = join(dir, 'qmp.sock');
  let qemu: ChildProcess;
  let exited: Promise<number | null>;
  const lines: string[] = [];

  beforeAll(async () => {
    qemu = spawn(
      'qemu-system-x86_64',
      [
        '-machine',
        'pc,accel=tcg',
        '-nodefaults',
        '-display',
        'none',
        '-m',
        '32',
        '-S',
        '-qmp',
        `unix:${sock},server=on,wait=off`,
      ],
      { stdio: 'ignore' },
    );
    exited = new Promise((resolve) => qemu.on('exit', (code) => resolve(code)));
    // However long a loaded machine takes QEMU to make its socket (the hook's timeout bounds it), unless it exits.
    while (!existsSync(sock) && qemu.exitCode === null) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(sock)).toBe(true);
  });
  afterAll(() => {
    qemu.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('negotiates, runs commands, reports errors and events, and sees QEMU quit', async () => {
    const qmp = await QmpClient.connect(sock, {
      trace: (dir, line) => lines.push(JSON.stringify({ dir, msg: JSON.parse(line) })),
    });
    expect(qmp.greeting?.version.qemu.major).toBeGreaterThanOrEqual(7);
    const events: QmpEvent[] = [];
    qmp.on('event', (e: QmpEvent) => events.push(e));
    const waitEvent = (name: string) =>
      new Promise<QmpEvent>((resolve) => {
        const f = (e: QmpEvent) => {
          if (e.event === name) {
            qmp.off('event', f);
            resolve(e);
          }
        };
        qmp.on('event', f);
      });

    expect(await qmp.execute('query-status')).toEqual({
      status: 'prelaunch',
      singlestep: false,
      running: false,
    });
    let resumed = waitEvent('RESUME');
    await qmp.execute('cont');
    await resumed;
    expect(await qmp.execute('query-status')).toMatchObject({ status: 'running', running: true });
    const stopped = waitEvent('STOP');
    await qmp.execute('stop');
    await stopped;
    resumed = waitEvent('RESUME');
    await qmp.execute('cont');
    await resumed;
    const reset = waitEvent('RESET');
    await qmp.execute('system_reset');
    expect((await reset).data).toMatchObject({ guest: false });

    const err = await qmp.execute('no-such-command').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HypervisorError);
    expect((err as HypervisorError).code).toBe('QMP_COMMAND');
    expect((err as HypervisorError).message).toBe(
      'QMP "no-such-command" failed: The command no-such-command has not been found',
    );

    const shutdown = waitEvent('SHUTDOWN');
    await qmp.execute('quit');
    expect((await shutdown).data).toMatchObject({ guest: false, reason: 'host-qmp-quit' });
    await qmp.closed;
    expect(qmp.isClosed).toBe(true);
    expect(await exited).toBe(0);
    const late = await qmp.execute('query-status').catch((e: unknown) => e);
    expect((late as HypervisorError).code).toBe('QMP_CLOSED');
    expect(events.map((e) => e.event)).toEqual(['RESUME', 'STOP', 'RESUME', 'RESET', 'SHUTDOWN']);
    if (RECORD) writeFileSync(FIXTURE, `${lines.join('\n')}\n`);
  });
});
