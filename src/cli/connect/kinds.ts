import type { Command } from 'commander';
import { ApiError } from '../../api/index.js';
import type { ConnectOptions } from './target.js';

/**
 * What a command does with the host options (`-c/--connect`, `--host`, `--state`, `--host-ca`,
 * `--host-insecure`). Every command either talks to the host they name or refuses them (exit 4); none ignores
 * them.
 *
 * - `host` (the default): connects with `connectApi` and works against that host (or exits 3/4).
 * - `offline`: works on local files (ovf, ova, disk, convert, remote): refuses every host option.
 * - `runs-host`: is the host (host serve, host demo): takes `--state`, refuses a connection.
 * - `state-dir`: works through the connected host, or on a local state directory's files when no host runs
 *   there (user).
 * - `cim`: raw CIM-XML operations: takes an http(s) connection as its server, refuses a `vessel:` one.
 */
export type CommandKind = 'host' | 'offline' | 'runs-host' | 'state-dir' | 'cim';

const KINDS = new WeakMap<Command, Exclude<CommandKind, 'host'>>();

/**
 * Marks a command (and every subcommand under it) with its kind; unmarked commands are `host` commands.
 *
 * @example
 * markCommand(program.command('ovf'), 'offline');
 */
export function markCommand(cmd: Command, kind: Exclude<CommandKind, 'host'>): Command {
  KINDS.set(cmd, kind);
  return cmd;
}

/** The kind of a command: its own mark or its nearest parent's, else `host`. */
export function kindOf(cmd: Command): CommandKind {
  for (let c: Command | null = cmd; c !== null; c = c.parent) {
    const k = KINDS.get(c);
    if (k !== undefined) return k;
  }
  return 'host';
}

/** `vessel ovf validate`: the command's full name, for messages. */
export function commandName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function refused(cmd: Command, option: string, value: string | undefined, why: string): ApiError {
  const shown = value === undefined ? option : `${option} ${value}`;
  return new ApiError('NOT_SUPPORTED', `${commandName(cmd)} ${why}, so it cannot take ${shown}`, {
    hint: `Leave out ${option}`,
  });
}

/**
 * Refuses the host options a command of this kind cannot honour (NOT_SUPPORTED, exit 4), before it runs.
 * Only options given on the command line count: `$VESSEL_CONNECT`, `$VESSEL_HOST` and `$VESSEL_STATE` are
 * defaults for the commands that talk to a host, and mean nothing to one that does not.
 *
 * @example
 * program.hook('preAction', (_p, cmd) => checkHostOptions(cmd));
 */
export function checkHostOptions(cmd: Command): void {
  const kind = kindOf(cmd);
  if (kind === 'host' || kind === 'state-dir' || kind === 'cim') return;
  const o = cmd.optsWithGlobals<ConnectOptions>();
  const why =
    kind === 'offline'
      ? 'works on local files; it does not talk to a host'
      : 'runs a host in this process; it does not connect to one (give its state directory with --state)';
  if (o.connect !== undefined) throw refused(cmd, '--connect', o.connect, why);
  if (o.host !== undefined) throw refused(cmd, '--host', o.host, why);
  if (o.hostCa !== undefined) throw refused(cmd, '--host-ca', o.hostCa, why);
  if (o.hostInsecure === true) throw refused(cmd, '--host-insecure', undefined, why);
  if (kind === 'offline' && o.state !== undefined) throw refused(cmd, '--state', o.state, why);
}
