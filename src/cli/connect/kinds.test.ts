import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/index.js';
import { addHostOptions } from '../program.js';
import { checkHostOptions, commandName, kindOf, markCommand } from './kinds.js';

/** A program with one command of each kind; answers the leaf `args` reach, parsed. */
function leaf(args: string[]): Command {
  const program = addHostOptions(new Command('vessel')).exitOverride();
  let reached: Command | undefined;
  const keep = (_o: unknown, c: Command) => {
    reached = c;
  };
  markCommand(program.command('ovf'), 'offline').command('validate').action(keep);
  const host = program.command('host');
  markCommand(host.command('serve'), 'runs-host').action(keep);
  host.command('info').action(keep);
  markCommand(program.command('user'), 'state-dir').command('list').action(keep);
  program.parse(['node', 'vessel', ...args]);
  return reached!;
}

function refusal(args: string[]): ApiError | undefined {
  try {
    checkHostOptions(leaf(args));
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
}

describe('checkHostOptions', () => {
  it('knows each command by its own mark or its nearest parent’s', () => {
    expect(kindOf(leaf(['ovf', 'validate']))).toBe('offline');
    expect(kindOf(leaf(['host', 'serve']))).toBe('runs-host');
    expect(kindOf(leaf(['host', 'info']))).toBe('host');
    expect(kindOf(leaf(['user', 'list']))).toBe('state-dir');
    expect(commandName(leaf(['ovf', 'validate']))).toBe('vessel ovf validate');
  });

  it('refuses every host option for a command that works on local files (NOT_SUPPORTED, exit 4)', () => {
    const e = refusal(['ovf', 'validate', '-c', 'http://127.0.0.1:1']);
    expect([e?.code, e?.message]).toEqual([
      'NOT_SUPPORTED',
      'vessel ovf validate works on local files; it does not talk to a host, so it cannot take --connect http://127.0.0.1:1',
    ]);
    expect(refusal(['--host', 'lab', 'ovf', 'validate'])?.message).toContain('cannot take --host lab');
    expect(refusal(['ovf', 'validate', '--state', '/srv/a'])?.message).toContain(
      'cannot take --state /srv/a',
    );
    expect(refusal(['ovf', 'validate', '--host-insecure'])?.message).toContain('cannot take --host-insecure');
    expect(refusal(['ovf', 'validate', '--host-ca', 'ca.pem'])?.hint).toBe('Leave out --host-ca');
    expect(refusal(['ovf', 'validate'])).toBeUndefined();
  });

  it('lets host serve take --state but no connection; leaves host and state-dir commands to their connection', () => {
    expect(refusal(['host', 'serve', '--state', '/srv/a'])).toBeUndefined();
    expect(refusal(['host', 'serve', '-c', 'vessel:///srv/a'])?.message).toBe(
      'vessel host serve runs a host in this process; it does not connect to one (give its state directory with --state), so it cannot take --connect vessel:///srv/a',
    );
    expect(refusal(['host', 'info', '-c', 'http://h1', '--state', '/srv/a'])).toBeUndefined();
    expect(refusal(['user', 'list', '-c', 'http://h1'])).toBeUndefined();
  });
});
