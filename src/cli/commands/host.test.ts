import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { ensureTestGuest } from '../../hypervisor/index.js';

const state = mkdtempSync(join(tmpdir(), 'vessel-demo-test-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('vessel host demo (the main job)', () => {
  it('starts a host on the embedded defaults, boots the test guest and shows its console', async () => {
    await ensureTestGuest();
    const r = await runCli(['host', 'demo', '--state', state]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^driver: {7}qemu \(qemu:\/\/\/embed\)$/m);
    expect(r.stdout).toMatch(/^accelerator: {2}(tcg|kvm) \(.+\)$/m);
    expect(r.stdout).toContain('VESSEL-GUEST-UP');
    expect(r.stdout).toContain('-----BEGIN OVF-ENV-----');
    expect(r.stdout).toContain('<Property oe:key="greeting" oe:value="hello from the OVF environment"/>');
    expect(r.stdout).toMatch(/: stopped \(guest powered off \(guest-shutdown\)\)$/m);
    expect(r.stdout).toContain('demo: the guest booted, read its OVF environment and powered off');
  }, 120_000);
});
