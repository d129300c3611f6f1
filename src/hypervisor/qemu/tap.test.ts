import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition, readDevices } from '../../model/index.js';
import type { HypervisorError } from '../errors.js';
import { tapName } from './options.js';
import { resolveQemuUser } from './sandbox.js';
import { bridgedTaps, createTaps, removeTaps } from './tap.js';

const root = process.getuid?.() === 0;
const bridge = `vslbr${process.pid % 100_000}`;
const ipOut = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const exists = (dev: string) => ipOut('-o', 'link', 'show').includes(` ${dev}:`);

afterAll(() => {
  if (root && exists(bridge)) execFileSync('ip', ['link', 'del', bridge]);
});

describe('taps for bridge networks', () => {
  it('names one tap per bridged NIC, within the 15 characters of an interface name', () => {
    const def = buildDefinition({
      name: 'b',
      cpus: 1,
      memoryBytes: 64n << 20n,
      nics: [{ network: 'user' }, { network: 'lan' }],
    });
    const uuid = '6f1c2a9e-0000-4000-8000-000000000001';
    const { nics } = readDevices(def);
    const taps = bridgedTaps(uuid, nics, new Map([['lan', { mode: 'bridge', bridge: 'br0' }]]));
    const lan = nics[1]!.instanceId;
    expect(taps).toEqual([{ name: tapName(uuid, lan), bridge: 'br0', nic: lan }]);
    expect(taps[0]!.name).toMatch(/^vt[0-9a-f]{12}$/);
    expect(tapName(uuid, 'other')).not.toBe(taps[0]!.name);
  });

  it.runIf(root)("makes a tap owned by QEMU's user in the bridge, and removes it", async () => {
    execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
    const user = await resolveQemuUser('vessel-qemu', false);
    if (user.kind !== 'dedicated') throw new Error('vessel-qemu is missing: run scripts/setup.sh');
    const tap = { name: tapName(`test-${process.pid}`, 'n1'), bridge, nic: 'n1' };
    await createTaps([tap], user);
    try {
      expect(ipOut('-o', 'link', 'show', 'master', bridge)).toContain(` ${tap.name}:`);
      expect(ipOut('-d', 'link', 'show', 'dev', tap.name)).toMatch(
        /tun type tap .*persist on user vessel-qemu group vessel-qemu/,
      );
    } finally {
      await removeTaps([tap]);
    }
    expect(exists(tap.name)).toBe(false);
  });

  it.runIf(root)(
    'refuses a bridge that does not exist, naming the NIC, and leaves no tap behind',
    async () => {
      const user = await resolveQemuUser('vessel-qemu', false);
      const tap = { name: tapName(`none-${process.pid}`, 'n7'), bridge: 'vsl-nosuchbr', nic: 'n7' };
      const err = (await createTaps([tap], user).catch((e: unknown) => e)) as HypervisorError;
      expect(err.code).toBe('QEMU_START');
      expect(err.message).toMatch(/^Cannot put NIC "n7" on bridge "vsl-nosuchbr": /);
      expect(exists(tap.name)).toBe(false);
    },
  );
});
