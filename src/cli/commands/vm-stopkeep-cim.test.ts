import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { type ServedHost, serveHost } from '../../../test/helpers/serve.js';

// `vm stop --timeout N` and `vm undefine --keep-disks` through `--connect http://` (CIM-XML) and
// `--connect wsman+http://` (WS-Man) against `vessel host serve` on the embedded QEMU driver under TCG: the stop's
// guest is real firmware (SeaBIOS, no operating system), which ignores the ACPI power button, so only the
// client's power-off after the time stops it; the undefine keeps the disk of a defined system in the default pool,
// printing what the host itself prints for a twin.

let served: ServedHost | undefined;
let cimPort: number;
let wsmanPort: number;
const SCHEMES = ['http', 'wsman+http'] as const;
type Scheme = (typeof SCHEMES)[number];

const over = (scheme: Scheme, user: string, password: string, args: string[]) =>
  runCli([
    '--connect',
    `${scheme}://${user}:${password}@127.0.0.1:${scheme === 'http' ? cimPort : wsmanPort}`,
    ...args,
  ]);
const admin = (scheme: Scheme, ...args: string[]) => over(scheme, 'admin', 'secret', args);
const local = (...args: string[]) => runCli([...args, '--state', served?.state ?? '']);
const ok = async (p: ReturnType<typeof runCli>) => {
  const r = await p;
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const stateOf = async (vm: string) =>
  (JSON.parse(await ok(local('vm', 'info', vm, '--json'))) as { state: string }).state;
const tag = (scheme: Scheme) => (scheme === 'http' ? 'c' : 'w');

beforeAll(async () => {
  [cimPort, wsmanPort] = [await freePort(), await freePort()];
  served = await serveHost({
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
    args: [
      ...['--driver', 'qemu:///embed?accel=tcg'],
      ...['--cim-http', String(cimPort), '--cim-https', '0', '--http', '0', '--https', '0'],
      ...['--wsman-http', String(wsmanPort), '--wsman-https', '0'],
    ],
    ready: 'WS-Man:',
    prefix: 'vessel-stopkeep-',
  });
}, 60_000);

afterAll(async () => {
  for (const vm of ['deaf-c', 'deaf-w', 'busy-c', 'busy-w'])
    await local('vm', 'stop', vm, '--force').catch(() => undefined); // never leave a QEMU behind
  await served?.close();
});

describe('vessel vm stop --timeout over CIM-XML and WS-Man (QEMU, TCG)', { timeout: 240_000 }, () => {
  for (const scheme of SCHEMES) {
    it(`${scheme}://: a guest that ignores the shutdown is powered off after the time, and the job says so`, async () => {
      const vm = `deaf-${tag(scheme)}`;
      await ok(local('vm', 'define', '--name', vm, '--cpus', '1', '--memory', '64M'));
      await ok(admin(scheme, 'vm', 'start', vm));
      expect(await stateOf(vm)).toBe('running');
      // Without waiting the client could not power off after the time: refused, nothing sent.
      const early = await admin(scheme, 'vm', 'stop', vm, '--timeout', '1', '--no-wait');
      expect(early.code).toBe(4);
      expect(early.stderr).toContain(`Cannot shut down "${vm}" with a power-off after 1000 ms over`);
      expect(early.stderr).toContain('hint: Wait for the job (leave out --no-wait, or give waitMs)');
      // A reader may not stop it.
      const denied = await over(scheme, 'rita', 'r3ad', ['vm', 'stop', vm, '--timeout', '1']);
      expect(denied.code, denied.stderr).toBe(1);
      expect(await stateOf(vm)).toBe('running');
      const stopped = await admin(scheme, 'vm', 'stop', vm, '--timeout', '1', '--json');
      expect(stopped.code, stopped.stderr).toBe(0);
      const job = JSON.parse(stopped.stdout) as {
        state: string;
        operation: string;
        result: { state: string; reason: { code: string; text: string } };
      };
      expect(job.state).toBe('completed');
      expect(job.operation).toBe('shutdown');
      expect(job.result.state).toBe('stopped');
      expect(job.result.reason).toEqual({
        code: 'forced-after-timeout',
        text: 'powered off: the guest did not shut down within 1000 ms',
      });
      expect(await stateOf(vm)).toBe('stopped');
      // In words, as the host itself prints it.
      await ok(admin(scheme, 'vm', 'start', vm));
      expect(await ok(admin(scheme, 'vm', 'stop', vm, '--timeout', '0'))).toBe(
        `Stopped "${vm}": stopped (powered off: the guest did not shut down within 0 ms)\n`,
      );
      await ok(local('vm', 'start', vm));
      expect(await ok(local('vm', 'stop', vm, '--timeout', '0'))).toBe(
        `Stopped "${vm}": stopped (powered off: the guest did not shut down within 0 ms)\n`,
      );
      await ok(local('vm', 'undefine', vm));
    });
  }
});

describe('vessel vm undefine --keep-disks over CIM-XML and WS-Man', { timeout: 240_000 }, () => {
  const withDisk = async (vm: string) => {
    const image = join(served!.state, 'images', `${vm}-base.raw`);
    await writeFile(image, Buffer.alloc(1 << 20, 7));
    await ok(local('vm', 'define', '--name', vm, '--cpus', '1', '--memory', '64M', '--disk', image));
  };

  for (const scheme of SCHEMES) {
    it(`${scheme}://: keeps the disk in the default pool and prints what the host itself prints`, async () => {
      const [vm, twin] = [`keep-${tag(scheme)}`, `twin-${tag(scheme)}`];
      await withDisk(vm);
      await withDisk(twin);
      const mine = await ok(admin(scheme, 'vm', 'undefine', vm, '--keep-disks'));
      const theirs = await ok(local('vm', 'undefine', twin, '--keep-disks'));
      expect(mine).toMatch(
        new RegExp(`^Undefined "${vm}"\\nKept disk \\S+: pool default image \\S+ \\(\\S+\\)\\n$`),
      );
      expect(mine).toBe(theirs.replaceAll(twin, vm));
      const listed = JSON.parse(await ok(local('pool', 'image', 'list', 'default', '--json'))) as {
        name: string;
      }[];
      const kept = /image (\S+) /.exec(mine)![1]!;
      expect(listed.map((i) => i.name)).toContain(kept);
      expect((await local('vm', 'info', vm)).code).toBe(1);

      const json = `json-${tag(scheme)}`;
      await withDisk(json);
      const job = JSON.parse(await ok(admin(scheme, 'vm', 'undefine', json, '--keep-disks', '--json'))) as {
        state: string;
        result: { keptImages: { instanceId: string; pool: string; image: string; how: string }[] };
      };
      expect(job.state).toBe('completed');
      expect(job.result.keptImages).toHaveLength(1);
      expect(job.result.keptImages[0]).toMatchObject({ pool: 'default' });
      expect(['converted', 'in-place']).toContain(job.result.keptImages[0]!.how);
    });

    it(`${scheme}://: refuses a running system, an unknown one and a reader, changing nothing`, async () => {
      const vm = `busy-${tag(scheme)}`;
      await withDisk(vm);
      const reader = await over(scheme, 'rita', 'r3ad', ['vm', 'undefine', vm, '--keep-disks']);
      expect(reader.code, reader.stderr).toBe(1);
      expect(reader.stderr).toMatch(/denied|not allowed|may not/i);
      const ghost = await admin(scheme, 'vm', 'undefine', 'no-such-vm', '--keep-disks');
      expect(ghost.code).toBe(1);
      expect(ghost.stderr).toContain('No virtual system "no-such-vm" on 127.0.0.1:');
      await ok(local('vm', 'start', vm));
      const running = await admin(scheme, 'vm', 'undefine', vm, '--keep-disks');
      // The words the host itself says.
      const there = await local('vm', 'undefine', vm, '--keep-disks');
      expect([running.code, running.stderr]).toEqual([
        1,
        `vessel: Cannot undefine "${vm}": it is running; stop it first\n`,
      ]);
      expect([there.code, there.stderr]).toEqual([running.code, running.stderr]);
      expect(await stateOf(vm)).toBe('running');
      await ok(local('vm', 'stop', vm, '--force'));
      await ok(local('vm', 'undefine', vm));
    });
  }
});
