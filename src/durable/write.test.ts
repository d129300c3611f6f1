import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileDurable, writeFileDurableSync } from './write.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-durable-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * The system calls of one write, under strace: each form must sync the temporary file's descriptor before the
 * rename and open and sync the folder after it (what makes the write survive a power cut on ext4).
 */
async function traced(form: 'sync' | 'async', file: string): Promise<string[]> {
  const script = join(dir, `trace-${form}.mjs`);
  await build({
    stdin: {
      contents: `import { writeFileDurable, writeFileDurableSync } from './write.ts';
        const [file] = process.argv.slice(2);
        ${form === 'sync' ? 'writeFileDurableSync(file, "new\\n");' : 'await writeFileDurable(file, "new\\n");'}`,
      resolveDir: import.meta.dirname,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: script,
    logLevel: 'silent',
  });
  const log = join(dir, `trace-${form}.log`);
  await run('strace', [
    '-f',
    '-qq',
    '-o',
    log,
    '-e',
    'trace=openat,fsync,fdatasync,rename,renameat,renameat2',
    'node',
    script,
    file,
  ]);
  return (await readFile(log, 'utf8'))
    .split('\n')
    .filter((l) => l.includes(dir) || /fsync|fdatasync/.test(l));
}

describe('durable writes', () => {
  for (const form of ['sync', 'async'] as const)
    it(`${form}: syncs the temporary file before the rename and the folder after it (strace)`, async () => {
      const file = join(dir, `state-${form}.json`);
      await writeFile(file, 'old\n');
      const lines = await traced(form, file);
      const fdOf = (l: string | undefined) => /= (\d+)$/.exec(l ?? '')?.[1];
      const openTmp = lines.findIndex(
        (l) => l.includes('openat(') && l.includes(`.state-${form}.json.`) && l.includes('O_EXCL'),
      );
      const renamed = lines.findIndex((l) => /rename/.test(l) && l.includes(`"${file}"`));
      const openDir = lines.findIndex(
        (l, i) => i > renamed && l.includes(`openat(`) && l.includes(`"${dir}"`) && l.includes('O_DIRECTORY'),
      );
      expect(openTmp, lines.join('\n')).toBeGreaterThanOrEqual(0);
      expect(renamed).toBeGreaterThan(openTmp);
      expect(openDir).toBeGreaterThan(renamed);
      const tmpFd = fdOf(lines[openTmp]);
      const dirFd = fdOf(lines[openDir]);
      const syncs = (from: number, to: number, fd: string | undefined) =>
        lines.slice(from + 1, to).some((l) => new RegExp(`f(data)?sync\\(${fd}\\)`).test(l));
      expect(
        syncs(openTmp, renamed, tmpFd),
        `no fsync(${tmpFd}) before the rename:\n${lines.join('\n')}`,
      ).toBe(true);
      expect(
        syncs(openDir, lines.length, dirFd),
        `no fsync(${dirFd}) of the folder:\n${lines.join('\n')}`,
      ).toBe(true);
      expect(await readFile(file, 'utf8')).toBe('new\n');
    }, 60_000);

  it('writes the content with mode 0600 and leaves no temporary file', async () => {
    const file = join(dir, 'users.json');
    await writeFileDurable(file, '{"users":[]}\n');
    writeFileDurableSync(join(dir, 'networks.json'), new Uint8Array([123, 125]));
    expect(await readFile(file, 'utf8')).toBe('{"users":[]}\n');
    expect(await readFile(join(dir, 'networks.json'), 'utf8')).toBe('{}');
    expect((await lstat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('never writes through a symlink planted at the temporary name (hostile state folder)', async () => {
    const file = join(dir, 'tokens.json');
    const victim = join(dir, 'victim');
    await writeFile(victim, 'untouched');
    for (const form of ['async', 'sync'] as const) {
      await symlink(victim, join(dir, `.tokens.json.${process.pid}.tmp`));
      if (form === 'async') await writeFileDurable(file, 'a');
      else writeFileDurableSync(file, 'b');
      expect(await readFile(victim, 'utf8')).toBe('untouched');
      expect(await readFile(file, 'utf8')).toBe(form === 'async' ? 'a' : 'b');
    }
  });

  it('keeps the old content and removes the temporary file when the rename fails', async () => {
    const target = join(dir, 'a-folder');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'kept');
    await expect(writeFileDurable(target, 'x')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(() => writeFileDurableSync(target, 'x')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(await readFile(join(target, 'inside'), 'utf8')).toBe('kept');
    expect((await readdir(dir)).filter((n) => n.startsWith('.a-folder'))).toEqual([]);
  });

  it('writes a large file whole (8 MiB, several write calls)', async () => {
    const big = Buffer.alloc(8 << 20, 7);
    writeFileDurableSync(join(dir, 'big'), big);
    expect((await readFile(join(dir, 'big'))).equals(big)).toBe(true);
  });
});
