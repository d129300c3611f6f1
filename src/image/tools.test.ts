import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageError } from './errors.js';
import { requireTools } from './tools.js';

async function failure(p: Promise<unknown>): Promise<ImageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ImageError);
  return e as ImageError;
}

describe('requireTools()', () => {
  it('names every missing program and one apt-get line with each package once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vessel-tools-'));
    await writeFile(join(dir, 'present'), '#!/bin/sh\n', { mode: 0o755 });
    const e = await failure(
      requireTools(
        [
          { command: 'present', debianPackage: 'pkg-a' },
          { command: 'vessel-missing-1', debianPackage: 'pkg-b' },
          { command: 'vessel-missing-2', debianPackage: 'pkg-b' },
          { command: join(dir, 'missing.efi'), debianPackage: 'pkg-c' },
        ],
        dir,
      ),
    );
    expect(e.code).toBe('IMAGE_TOOLS');
    expect(e.message).toBe(
      `Missing vessel-missing-1 (pkg-b), vessel-missing-2 (pkg-b), ${join(dir, 'missing.efi')} (pkg-c)`,
    );
    expect(e.hint).toBe('install with: apt-get install --no-install-recommends pkg-b pkg-c');
  });

  it('counts a file that is there but not executable as missing, and passes when all are there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vessel-tools-'));
    await writeFile(join(dir, 'plain'), 'not a program\n', { mode: 0o644 });
    await writeFile(join(dir, 'loader.efi'), 'data\n', { mode: 0o644 });
    expect((await failure(requireTools([{ command: 'plain', debianPackage: 'p' }], dir))).code).toBe(
      'IMAGE_TOOLS',
    );
    // A file named by its path (a boot loader) only has to be readable.
    await expect(
      requireTools([{ command: join(dir, 'loader.efi'), debianPackage: 'p' }], dir),
    ).resolves.toBeUndefined();
  });
});
