import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { type ServedHost, serveHost } from '../../../test/helpers/host.js';

// `vessel job` through the built CLI against `vessel host serve` on the test driver: jobs that complete, fail,
// keep running (a guest that ignores ACPI) and are cancelled, as a user follows them.

const root = mkdtempSync(join(tmpdir(), 'vessel-cli-job-'));
const state = join(root, 'state');
const s = ['--state', state];
let host: ServedHost;

interface Job {
  id: string;
  operation: string;
  state: string;
  target?: { name?: string };
  error?: { code: string; message: string };
}

const jobs = async (...args: string[]): Promise<Job[]> =>
  JSON.parse((await runCli(['job', 'list', '--json', ...args, ...s])).stdout) as Job[];

beforeAll(async () => {
  host = await serveHost(state);
  expect(host.output()).toContain('serving');
});
afterAll(async () => {
  await host.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('vessel job', () => {
  it('lists, shows and waits for jobs that completed; JSON lists are arrays, newest first', async () => {
    expect((await runCli(['job', 'list', '--json', ...s])).stdout).toBe('[]\n');
    expect((await runCli(['vm', 'define', '--name', 'web1', ...s])).code).toBe(0);
    const started = await runCli(['vm', 'start', 'web1', '--no-wait', '--json', ...s]);
    const id = (JSON.parse(started.stdout) as Job).id;
    const wait = await runCli(['job', 'wait', id, ...s]);
    expect([wait.code, wait.stdout]).toEqual([0, `Job ${id} completed (start)\n`]);
    const all = await jobs();
    expect(all.map((j) => [j.operation, j.state, j.target?.name])).toEqual([
      ['start', 'completed', 'web1'],
      ['define', 'completed', 'web1'],
    ]);
    expect((await jobs('--limit', '1')).map((j) => j.id)).toEqual([id]);
    expect((await jobs('--target', 'web1', '--job-state', 'completed')).length).toBe(2);
    expect(await jobs('--job-state', 'failed')).toEqual([]);
    const table = await runCli(['job', 'list', ...s]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +OPERATION +TARGET +STATE +DONE +CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${id}  start +web1 +completed +100%  \\d{4}-`, 'm'));
    const get = await runCli(['job', 'get', id, ...s]);
    expect(get.stdout).toContain(`id:        ${id}\noperation: start\n`);
    expect(get.stdout).toContain('state:     completed (100%)\n');
    expect(JSON.parse((await runCli(['job', 'get', id, '--json', ...s])).stdout)).toMatchObject({
      id,
      state: 'completed',
      result: { name: 'web1', state: 'running' },
    });
    const del = await runCli(['job', 'delete', id, ...s]);
    expect([del.code, del.stdout]).toEqual([0, `Deleted job ${id}\n`]);
    const gone = await runCli(['job', 'get', id, ...s]);
    expect([gone.code, gone.stderr]).toEqual([1, `vessel: No job "${id}"\n`]);
  }, 60_000);

  it("job wait exits with the failed job's own exit code, printing the job with --json", async () => {
    // The system is running: a second start is accepted as a job and fails in it.
    const r = await runCli(['vm', 'start', 'web1', '--no-wait', '--json', ...s]);
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as Job).id;
    const wait = await runCli(['job', 'wait', id, ...s]);
    expect([wait.code, wait.stdout, wait.stderr]).toEqual([
      1,
      '',
      'vessel: Cannot start "web1": it is already running\n',
    ]);
    const json = await runCli(['job', 'wait', id, '--json', ...s]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ id, state: 'failed', error: { code: 'INVALID_STATE' } });
    expect((await jobs('--job-state', 'failed')).map((j) => j.id)).toEqual([id]);
  }, 60_000);

  it('job wait --timeout gives up on a running job (exit 1); cancel stops it; delete refuses it while running', async () => {
    const def = join(root, 'deaf.json');
    writeFileSync(
      def,
      JSON.stringify({
        system: { ElementName: 'deaf', VesselTestIgnoresShutdown: 'true' },
        resources: [
          {
            cimClass: 'CIM_ResourceAllocationSettingData',
            properties: { InstanceID: '1', ResourceType: '3', VirtualQuantity: '1' },
          },
          {
            cimClass: 'CIM_ResourceAllocationSettingData',
            properties: {
              InstanceID: '2',
              ResourceType: '4',
              AllocationUnits: 'byte * 2^20',
              VirtualQuantity: '64',
            },
          },
        ],
      }),
    );
    expect((await runCli(['vm', 'define', '--from-json', def, ...s])).code).toBe(0);
    expect((await runCli(['vm', 'start', 'deaf', ...s])).code).toBe(0);
    const stop = await runCli(['vm', 'stop', 'deaf', '--timeout', '600', '--no-wait', '--json', ...s]);
    const id = (JSON.parse(stop.stdout) as Job).id;
    const wait = await runCli(['job', 'wait', id, '--timeout', '1', ...s]);
    expect(wait.code).toBe(1);
    expect(wait.stderr).toMatch(
      new RegExp(
        `^vessel: Job ${id} is still running after 1 s \\(\\d+%\\)\n  hint: Wait again: vessel job wait ${id}\n$`,
      ),
    );
    expect((await jobs('--job-state', 'running')).map((j) => j.id)).toEqual([id]);
    const del = await runCli(['job', 'delete', id, ...s]);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain(id);
    const cancel = await runCli(['job', 'cancel', id, '--json', ...s]);
    expect(cancel.code, cancel.stderr).toBe(0);
    const after = await runCli(['job', 'wait', id, '--json', ...s]);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ id, state: 'cancelled', error: { code: 'CANCELLED' } });
    const again = await runCli(['job', 'cancel', id, ...s]);
    expect([again.code, again.stdout]).toEqual([0, `Job ${id}: cancelled\n`]);
  }, 60_000);

  it('refuses odd input: unknown ids, bad states, limits and timeouts', async () => {
    const cases: [string[], number, string][] = [
      [['job', 'get', 'no-such-job'], 1, 'vessel: No job "no-such-job"\n'],
      [['job', 'wait', 'no-such-job'], 1, 'vessel: No job "no-such-job"\n'],
      [['job', 'cancel', 'no-such-job'], 1, 'vessel: No job "no-such-job"\n'],
      [['job', 'list', '--limit', '0'], 2, 'vessel: --limit "0": use a whole number from 1 to 10000\n'],
      [['job', 'list', '--limit', '1e3'], 2, 'vessel: --limit "1e3": use a whole number from 1 to 10000\n'],
      [
        ['job', 'list', '--job-state', 'done'],
        2,
        'vessel: --job-state "done": use queued, running, completed, failed, cancelled\n',
      ],
      [
        ['job', 'wait', 'x', '--timeout', '-1'],
        2,
        'vessel: --timeout "-1": use a whole number from 0 to 86400\n',
      ],
    ];
    for (const [args, code, err] of cases) {
      const r = await runCli([...args, ...s]);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), code, err]);
    }
    const odd = await runCli(['job', 'get', '../../etc/passwd', ...s]);
    expect(odd.code).not.toBe(0);
    expect(odd.stderr).not.toContain('internal error');
    const none = await runCli(['job', 'list', '--state', join(root, 'none')]);
    expect(none.code).toBe(3);
  }, 60_000);
});
