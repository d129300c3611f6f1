import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ApiError, type ConnectTarget, parseConnectUri, resolveStateDir } from '../../api/index.js';
import { loadProfiles } from '../remote.js';

/** The global options that say which host a command talks to (program.ts). */
export interface ConnectOptions {
  connect?: string;
  host?: string;
  state?: string;
  hostCa?: string;
  hostInsecure?: boolean;
}

/** Where a command's connection comes from, for messages. */
type ConnectSource = '--connect' | '--host' | '$VESSEL_CONNECT' | '$VESSEL_HOST' | 'default';

/** The host a command names: the text given (or the default), where it came from, and what it parses to. */
export interface Connection {
  /** What the user gave (`vessel:///…` for the default), for messages. */
  text: string;
  source: ConnectSource;
  target: ConnectTarget;
}

function usage(message: string, hint?: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', message, hint === undefined ? {} : { hint });
}

/** The connection text and its source: `-c/--connect`, `--host`, `$VESSEL_CONNECT`, `$VESSEL_HOST`, or none. */
function given(
  o: ConnectOptions,
  env: NodeJS.ProcessEnv,
): { text: string; source: ConnectSource } | undefined {
  if (o.connect !== undefined && o.host !== undefined && o.connect !== o.host) {
    throw usage(`--connect "${o.connect}" and --host "${o.host}" name different hosts`, 'Give one of them');
  }
  if (o.connect !== undefined) return { text: o.connect, source: '--connect' };
  if (o.host !== undefined) return { text: o.host, source: '--host' };
  if (env.VESSEL_CONNECT !== undefined && env.VESSEL_CONNECT !== '')
    return { text: env.VESSEL_CONNECT, source: '$VESSEL_CONNECT' };
  if (env.VESSEL_HOST !== undefined && env.VESSEL_HOST !== '')
    return { text: env.VESSEL_HOST, source: '$VESSEL_HOST' };
  return undefined;
}

/** `--host-ca` and `--host-insecure` added to a CIM-XML, WS-Man or REST target (https only, as `?ca=`, `?insecure=1`). */
function withTls(target: ConnectTarget, o: ConnectOptions, text: string): ConnectTarget {
  if (o.hostCa === undefined && o.hostInsecure !== true) return target;
  if (target.transport === 'socket' || target.url.protocol !== 'https:') {
    throw usage(`--host-ca and --host-insecure apply to an https:// host, not to "${text}"`);
  }
  return {
    ...target,
    ...(o.hostCa === undefined ? {} : { ca: resolve(o.hostCa) }),
    insecure: target.insecure || o.hostInsecure === true,
  };
}

/**
 * The host a command names, from the global options and the environment: `-c/--connect` (or `--host`), else
 * `$VESSEL_CONNECT` (or `$VESSEL_HOST`), else the local host of `--state` (or `$VESSEL_STATE`, or the default state
 * directory). A saved profile is looked up in `$XDG_CONFIG_HOME/vessel/hosts.json`. `--state` names a local state
 * directory: with a connection to another host it is a usage error, never silently dropped.
 *
 * @example
 * const { target } = await connectionOf(command); // { transport: 'socket', stateDir: '/srv/vessel' }
 */
export async function connectionOf(
  command: Command,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection> {
  const named = await namedConnectionOf(command, env);
  if (named !== undefined) return named;
  const o = command.optsWithGlobals<ConnectOptions>();
  const stateDir = resolve(resolveStateDir(o.state, env));
  const target = withTls({ transport: 'socket', stateDir }, o, `vessel://${stateDir}`);
  return { text: `vessel://${stateDir}`, source: 'default', target };
}

/**
 * The connection the command line or the environment names (`-c/--connect`, `--host`, `$VESSEL_CONNECT`,
 * `$VESSEL_HOST`), or undefined when none does; `--state` is checked against it.
 *
 * @example
 * const named = await namedConnectionOf(command); // undefined: the default host
 */
export async function namedConnectionOf(
  command: Command,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection | undefined> {
  const o = command.optsWithGlobals<ConnectOptions>();
  const named = given(o, env);
  if (named === undefined) return undefined;
  const profiles = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(named.text) ? await loadProfiles() : {};
  const target = withTls(parseConnectUri(named.text, profiles, env), o, named.text);
  if (o.state !== undefined) {
    const state = resolve(o.state);
    if (target.transport !== 'socket' || target.stateDir !== state) {
      throw usage(
        `--state ${o.state} names a local state directory, but ${named.source} "${named.text}" names another host`,
        target.transport === 'socket'
          ? `Give one of them (--connect vessel://${state} is the host of --state ${o.state})`
          : 'Leave out --state when you connect to a remote host',
      );
    }
  }
  return { ...named, target };
}

/**
 * The state directory a `state-dir` command (kinds.ts) works on: the one of `--state` or `--connect
 * vessel:///DIR` (or their defaults), whether its host runs or not. A connection to another host is refused
 * with NOT_SUPPORTED (exit 4) rather than falling back to a local directory.
 *
 * @example
 * const dir = await stateDirOf(command, 'Users are managed on the host itself');
 */
export async function stateDirOf(command: Command, why: string): Promise<string> {
  const c = await connectionOf(command);
  if (c.target.transport !== 'socket') {
    throw new ApiError('NOT_SUPPORTED', `${why}; it cannot reach ${c.source} ${c.text}`, {
      hint: 'Run it on that host, with --state or --connect vessel:///STATE',
    });
  }
  return c.target.stateDir;
}
