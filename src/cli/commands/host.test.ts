import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { ensureTestGuest } from '../../hypervisor/index.js';

const state = mkdtempSync(join(tmpdir(), 'vessel-demo-test-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('vessel host demo (the main job)', () => {
  it('starts a host on the embedded defaults, deploys the demo OVA and shows the guest printing its OVF environment', async () => {
    await ensureTestGuest();
    const r = await runCli(['host', 'demo', '--state', state]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^driver: {7}qemu \(qemu:\/\/\/embed\)$/m);
    expect(r.stdout).toMatch(/^accelerator: {2}(tcg|kvm) \(.+\)$/m);
    expect(r.stdout).toContain('VESSEL-GUEST-UP');
    expect(r.stdout).toContain('-----BEGIN OVF-ENV-----');
    // The value given with --prop at deploy time, as the guest read it from its OVF environment CD.
    expect(r.stdout).toMatch(
      /<Property oe:key="greeting" oe:value="Hello from an OVF property, deployed at [^"]+"\/>/,
    );
    expect(r.stdout).toContain('manifest verified; powered on');
    expect(r.stdout).toMatch(/: stopped \(guest powered off \(guest-shutdown\)\)$/m);
    expect(r.stdout).toContain(
      'demo: the deployed guest booted, printed its OVF environment with the property given, and powered off',
    );
  }, 120_000);
});
