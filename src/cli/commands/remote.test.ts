import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';

// `vessel remote add` saves paths absolute, so that a profile works from any directory.

const root = mkdtempSync(join(tmpdir(), 'vessel-cli-remote-'));
const env = { XDG_CONFIG_HOME: join(root, 'config') };
const work = join(root, 'work');
mkdirSync(join(work, 'certs'), { recursive: true });
writeFileSync(join(work, 'certs', 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const saved = () =>
  JSON.parse(readFileSync(join(root, 'config', 'vessel', 'hosts.json'), 'utf8')) as Record<
    string,
    { url: string; ca?: string }
  >;

describe('vessel remote add', () => {
  it('stores a relative --ca, and a relative ?ca= in the URL, as absolute paths', async () => {
    const r = await runCli(['remote', 'add', 'lab', 'https://host1:5989', '--ca', 'certs/ca.pem'], {
      env,
      cwd: work,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(saved().lab?.ca).toBe(join(work, 'certs', 'ca.pem'));
    const q = await runCli(['remote', 'add', 'lab2', 'https://host2:5989/cimom?ca=certs/ca.pem&insecure=0'], {
      env,
      cwd: work,
    });
    expect(q.code, q.stderr).toBe(0);
    expect(saved().lab2?.url).toBe(
      `https://host2:5989/cimom?ca=${encodeURIComponent(join(work, 'certs', 'ca.pem'))}&insecure=0`,
    );
    const abs = await runCli(
      ['remote', 'add', 'lab3', 'https://h3:5989', '--ca', join(work, 'certs', 'ca.pem')],
      {
        env,
      },
    );
    expect(abs.code).toBe(0);
    expect(saved().lab3?.ca).toBe(join(work, 'certs', 'ca.pem'));
  });

  it('refuses a --ca file that is not there (exit 2) and saves nothing', async () => {
    const r = await runCli(['remote', 'add', 'bad', 'https://h:5989', '--ca', 'nope.pem'], {
      env,
      cwd: work,
    });
    expect([r.code, r.stderr]).toEqual([
      2,
      `vessel: Cannot read "${join(work, 'nope.pem')}": no such file\n`,
    ]);
    expect(saved().bad).toBeUndefined();
  });
});
