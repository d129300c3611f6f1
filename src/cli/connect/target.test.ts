import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/index.js';
import { addHostOptions } from '../program.js';
import { saveProfiles } from '../remote.js';
import { connectionOf, namedConnectionOf, stateDirOf } from './target.js';

const cfg = mkdtempSync(join(tmpdir(), 'vessel-target-'));
afterAll(() => rmSync(cfg, { recursive: true, force: true }));

/** The leaf command of `vessel ARGS vm list`, parsed, as an action sees it. */
function parsed(args: string[]): Command {
  const program = addHostOptions(new Command('vessel')).exitOverride();
  let leaf: Command | undefined;
  program
    .command('vm')
    .command('list')
    .action((_o, c: Command) => {
      leaf = c;
    });
  program.parse(['node', 'vessel', ...args, 'vm', 'list']);
  return leaf!;
}

const env = (e: Record<string, string>): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: cfg, ...e });

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('connectionOf', () => {
  it('is the host of --state, else of $VESSEL_STATE, when nothing names a host', async () => {
    expect(await connectionOf(parsed(['--state', '/srv/a']), env({}))).toEqual({
      text: 'vessel:///srv/a',
      source: 'default',
      target: { transport: 'socket', stateDir: '/srv/a' },
    });
    const c = await connectionOf(parsed([]), env({ VESSEL_STATE: '/srv/b' }));
    expect(c.target).toEqual({ transport: 'socket', stateDir: '/srv/b' });
  });

  it('takes -c, --connect, --host and the environment, in that order', async () => {
    const http = { transport: 'cimxml', url: new URL('http://h1:5988/cimom'), insecure: false };
    expect((await connectionOf(parsed(['-c', 'http://h1']), env({}))).target).toEqual(http);
    expect((await connectionOf(parsed(['--host', 'http://h1']), env({}))).source).toBe('--host');
    const both = parsed(['--connect', 'vessel:///srv/x']);
    expect(
      (await connectionOf(both, env({ VESSEL_CONNECT: 'http://h2', VESSEL_HOST: 'http://h3' }))).target,
    ).toEqual({ transport: 'socket', stateDir: '/srv/x' });
    const fromEnv = await connectionOf(
      parsed([]),
      env({ VESSEL_CONNECT: 'http://h2', VESSEL_HOST: 'http://h3' }),
    );
    expect([fromEnv.source, fromEnv.text]).toEqual(['$VESSEL_CONNECT', 'http://h2']);
    const host = await connectionOf(parsed([]), env({ VESSEL_HOST: 'http://h3' }));
    expect([host.source, host.text]).toEqual(['$VESSEL_HOST', 'http://h3']);
    expect(await namedConnectionOf(parsed(['--state', '/srv/a']), env({}))).toBeUndefined();
  });

  it('refuses --connect and --host that differ, and --state beside another host (usage, exit 2)', async () => {
    const differ = await refusal(connectionOf(parsed(['-c', 'http://h1', '--host', 'http://h2']), env({})));
    expect([differ.code, differ.message]).toEqual([
      'INVALID_ARGUMENT',
      '--connect "http://h1" and --host "http://h2" name different hosts',
    ]);
    const remote = await refusal(connectionOf(parsed(['-c', 'http://h1', '--state', '/srv/a']), env({})));
    expect(remote.message).toBe(
      '--state /srv/a names a local state directory, but --connect "http://h1" names another host',
    );
    const other = await refusal(
      connectionOf(parsed(['-c', 'vessel:///srv/b', '--state', '/srv/a']), env({})),
    );
    expect(other.hint).toBe('Give one of them (--connect vessel:///srv/a is the host of --state /srv/a)');
    const same = await connectionOf(parsed(['-c', 'vessel:///srv/a', '--state', '/srv/a']), env({}));
    expect(same.target).toEqual({ transport: 'socket', stateDir: '/srv/a' });
  });

  it('adds --host-ca and --host-insecure to an https host only', async () => {
    const c = await connectionOf(
      parsed(['-c', 'https://h1', '--host-ca', '/etc/ca.pem', '--host-insecure']),
      env({}),
    );
    expect(c.target).toMatchObject({ transport: 'cimxml', ca: '/etc/ca.pem', insecure: true });
    const rest = await connectionOf(parsed(['-c', 'rest+https://h1', '--host-ca', '/etc/ca.pem']), env({}));
    expect(rest.target).toMatchObject({ transport: 'rest', ca: '/etc/ca.pem', insecure: false });
    const restPlain = await refusal(
      connectionOf(parsed(['-c', 'rest+http://h1', '--host-ca', 'x']), env({})),
    );
    expect(restPlain.message).toBe(
      '--host-ca and --host-insecure apply to an https:// host, not to "rest+http://h1"',
    );
    const plain = await refusal(connectionOf(parsed(['-c', 'http://h1', '--host-insecure']), env({})));
    expect(plain.message).toBe('--host-ca and --host-insecure apply to an https:// host, not to "http://h1"');
    const local = await refusal(connectionOf(parsed(['--host-ca', '/etc/ca.pem']), env({})));
    expect(local.code).toBe('INVALID_ARGUMENT');
  });

  it('looks a profile up in $XDG_CONFIG_HOME/vessel/hosts.json; an unknown name is a usage error', async () => {
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = cfg;
    try {
      await saveProfiles({ lab: { url: 'https://lab.example:15989', user: 'ops', insecure: true } });
      const c = await connectionOf(parsed(['-c', 'lab']), env({}));
      expect(c.target).toEqual({
        transport: 'cimxml',
        url: new URL('https://lab.example:15989/cimom'),
        user: 'ops',
        insecure: true,
      });
      const unknown = await refusal(connectionOf(parsed(['-c', 'nolab']), env({})));
      expect([unknown.code, unknown.message]).toEqual([
        'INVALID_ARGUMENT',
        'Cannot connect to "nolab": it is neither a URI nor a saved host profile',
      ]);
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });
});

describe('stateDirOf', () => {
  it('is the state directory of --state or of a vessel: URI, and refuses a remote host with NOT_SUPPORTED', async () => {
    expect(await stateDirOf(parsed(['--state', '/srv/a']), 'x')).toBe('/srv/a');
    expect(await stateDirOf(parsed(['-c', 'vessel:///srv/c']), 'x')).toBe('/srv/c');
    const e = await refusal(stateDirOf(parsed(['-c', 'http://h1:1']), 'vessel user add edits a file'));
    expect([e.code, e.message]).toEqual([
      'NOT_SUPPORTED',
      'vessel user add edits a file; it cannot reach --connect http://h1:1',
    ]);
  });
});
