import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeIsoImage } from './iso-write.js';
import { probe } from './probe.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-iso-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeIsoImage() (genisoimage)', () => {
  it('writes an ISO 9660 image that the probe reads, with the label and mode asked for', async () => {
    const a = join(dir, 'day0.txt');
    writeFileSync(a, 'hostname r1\n');
    const iso = join(dir, 'config.iso');
    await writeIsoImage(iso, [{ name: 'iosxe_config.txt', path: a }], { volumeId: 'config', mode: 0o600 });
    const p = await probe(iso);
    expect(p.format).toBe('iso');
    expect(p.details.volumeId).toBe('config');
    expect(statSync(iso).mode & 0o777).toBe(0o600);
  });

  it('refuses names that are paths, too long for Joliet, repeated, or empty lists', async () => {
    const a = join(dir, 'a.txt');
    writeFileSync(a, 'x');
    const iso = join(dir, 'bad.iso');
    await expect(writeIsoImage(iso, [{ name: '../a', path: a }])).rejects.toThrow(/"\/"/);
    await expect(writeIsoImage(iso, [{ name: 'x'.repeat(104), path: a }])).rejects.toThrow(/103/);
    await expect(
      writeIsoImage(iso, [
        { name: 'A.txt', path: a },
        { name: 'a.txt', path: a },
      ]),
    ).rejects.toThrow(/both named/);
    await expect(writeIsoImage(iso, [])).rejects.toMatchObject({ code: 'USAGE_DISK' });
  });

  it("reports a missing input as DISK_TOOL_FAILED with genisoimage's reason", async () => {
    await expect(
      writeIsoImage(join(dir, 'm.iso'), [{ name: 'a', path: join(dir, 'missing') }]),
    ).rejects.toMatchObject({ code: 'DISK_TOOL_FAILED' });
  });
});
