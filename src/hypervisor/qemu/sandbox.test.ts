import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HypervisorError } from '../errors.js';
import { kvmAccessProblem, resolveQemuUser, spawnIdentity } from './sandbox.js';

const root = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'vessel-sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const error = async (p: Promise<unknown>) => (await p.catch((e: unknown) => e)) as HypervisorError;

describe('resolveQemuUser()', () => {
  it.runIf(!root)("keeps the host's own user when the host is not root", async () => {
    expect(await resolveQemuUser('vessel-qemu', false)).toMatchObject({
      kind: 'self',
      uid: process.getuid?.(),
    });
  });

  it.runIf(root)('maps a root host to the dedicated user, never to root', async () => {
    const u = await resolveQemuUser('vessel-qemu', false);
    expect(u.kind).toBe('dedicated');
    if (u.kind !== 'dedicated') return;
    expect(u.uid).toBeGreaterThan(0);
    expect(u.gid).toBeGreaterThan(0);
    expect(spawnIdentity(u)).toEqual({ uid: u.uid, gid: u.gid });
  });

  it.runIf(root)('reports a missing user, and refuses root and names that are not user names', async () => {
    const missing = await resolveQemuUser('vessel-none-such', false);
    expect(missing).toMatchObject({ kind: 'missing', name: 'vessel-none-such' });
    expect(() => spawnIdentity(missing)).toThrow('QEMU\'s user "vessel-none-such" does not exist');
    const asRoot = await error(resolveQemuUser('root', false));
    expect([asRoot.code, asRoot.message]).toEqual([
      'DRIVER_URI',
      'QEMU must not run as root, and "root" is uid 0 gid 0',
    ]);
    const odd = await error(resolveQemuUser('x;rm -rf /', false));
    expect([odd.code, odd.message]).toEqual([
      'DRIVER_URI',
      '"x;rm -rf /" is not a user name (VESSEL_QEMU_USER)',
    ]);
  });
});

describe('kvmAccessProblem()', () => {
  const user = { kind: 'dedicated' as const, name: 'q', uid: 4242, gid: 4343, description: 'user "q"' };
  const dev = (mode: number, uid: number, gid: number) => {
    const f = join(dir, `kvm-${mode.toString(8)}-${uid}-${gid}`);
    writeFileSync(f, '');
    chmodSync(f, mode);
    if (root) chownSync(f, uid, gid);
    return f;
  };

  it('accepts a device the user can read and write by owner, group or other bits', () => {
    expect(kvmAccessProblem(user, dev(0o666, 0, 0))).toBeUndefined();
    if (!root) return;
    expect(kvmAccessProblem(user, dev(0o660, 0, 4343))).toBeUndefined();
    expect(kvmAccessProblem(user, dev(0o600, 4242, 0))).toBeUndefined();
  });

  it.runIf(root)('names a device the user cannot use, and a missing one', () => {
    const f = dev(0o600, 0, 0);
    expect(kvmAccessProblem(user, f)).toBe(`${f} is not read/writable by QEMU's user "q"`);
    expect(kvmAccessProblem(user, dev(0o640, 0, 4343))).toContain('is not read/writable');
    expect(kvmAccessProblem(user, join(dir, 'absent'))).toBe(`${join(dir, 'absent')} is missing`);
  });
});
