import { homedir } from 'node:os';
import { isAbsolute, join, posix } from 'node:path';
import { ApiError } from './errors.js';

/**
 * `-c, --connect URI|PROFILE`: which host a command talks to (virsh's convention).
 *
 *     vessel:///                        the default state directory's host ($VESSEL_STATE, else $XDG_DATA_HOME/vessel)
 *     vessel:///abs/state[?socket=PATH] that state directory's host, optionally through another socket path
 *     http://[user@]host[:5988][/cimom] CIM-XML; https://[user@]host[:5989][/cimom][?ca=FILE&insecure=1]
 *     cimxml+http(s)://...              the same, explicit
 *     wsman+http://[user@]host[:5985][/wsman]   WS-Management; wsman+https://...[:5986][/wsman][?ca=FILE&insecure=1]
 *     hyperv+http(s)://...              WS-Management read as Hyper-V's WMI v2 (wsman+ finds Hyper-V by Identify too)
 *     rest+http://[user@]host[:8080]    REST/JSON; rest+https://...[:8443][?ca=FILE&insecure=1] ($VESSEL_TOKEN: a bearer token)
 *     NAME                              a saved profile ($XDG_CONFIG_HOME/vessel/hosts.json)
 *
 * Parsing is pure: the caller passes the profiles and, for `vessel:///`, the environment.
 */

/** A saved host ($XDG_CONFIG_HOME/vessel/hosts.json): URL, user, CA file, and whether to skip TLS checks. */
export interface HostProfile {
  url: string;
  user?: string | undefined;
  ca?: string | undefined;
  insecure?: boolean | undefined;
  /** A WS-Man profile's platform: `hyperv` reads the host as Hyper-V's WMI v2 without asking Identify. */
  platform?: 'hyperv' | undefined;
}

/** Where a connection goes. */
export type ConnectTarget =
  | { transport: 'socket'; stateDir: string; socketPath?: string }
  | RemoteTarget<'cimxml'>
  | RemoteTarget<'wsman'>
  | RemoteTarget<'rest'>;

/** A host reached over the network: CIM-XML (`cimxml`), WS-Management (`wsman`) or REST (`rest`). */
export interface RemoteTarget<T extends 'cimxml' | 'wsman' | 'rest'> {
  transport: T;
  /** The endpoint without user info, e.g. `https://h:5989/cimom` or `https://h:5986/wsman`. */
  url: URL;
  user?: string;
  /** From the URL's user info: possible, discouraged ($VESSEL_PASSWORD is better). */
  password?: string;
  /** A PEM file of the CA certificates to trust (https). */
  ca?: string;
  insecure: boolean;
  /** WS-Man only: `hyperv` for `hyperv+http(s)://` (or a profile's platform); absent: Identify decides. */
  platform?: 'hyperv';
}

/** The environment `vessel:///` reads. */
export interface StateEnv {
  VESSEL_STATE?: string | undefined;
  XDG_DATA_HOME?: string | undefined;
}

/** The longest connection text accepted (a URL with a long path fits many times). */
export const MAX_CONNECT_CHARS = 4096;
/** A profile name: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Default ports and paths of each WBEM protocol (DSP0200: 5988/5989 /cimom; DSP0226 and WinRM: 5985/5986 /wsman). */
const PROTOCOLS = {
  cimxml: {
    name: 'CIM-XML',
    ports: { 'http:': 5988, 'https:': 5989 } as Record<string, number>,
    path: '/cimom',
  },
  wsman: {
    name: 'WS-Man',
    ports: { 'http:': 5985, 'https:': 5986 } as Record<string, number>,
    path: '/wsman',
  },
  // The REST edge's paths lie below /api/v1 of the origin; a URL's own path is not used.
  rest: {
    name: 'REST',
    ports: { 'http:': 8080, 'https:': 8443 } as Record<string, number>,
    path: '/',
  },
} as const;
/** A URL that spells out its authority: `scheme://` and then something other than `/`. */
const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]/;
/** An authority with a port: `scheme://[user@]host:PORT` or `[v6]:PORT`. */
const EXPLICIT_PORT = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]/?#]*\]|[^:/?#]*):[0-9]/;

/**
 * The state directory: `option` (from `--state DIR`) when given, else `$VESSEL_STATE`, else
 * `$XDG_DATA_HOME/vessel`, else `~/.local/share/vessel`.
 *
 * @example
 * resolveStateDir(undefined, { XDG_DATA_HOME: '/data' }); // '/data/vessel'
 */
export function resolveStateDir(option?: string, env: StateEnv = process.env): string {
  return (
    option ?? env.VESSEL_STATE ?? join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'vessel')
  );
}

function hasSpaceOrControl(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0x20 || c === 0x7f || /\s/u.test(ch)) return true;
  }
  return false;
}

/** The text as messages may show it: a password in the URL's user info is masked. */
function shown(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/?#]*):[^/?#]*@/, '$1:***@');
}

function bad(text: string, why: string, hint?: string): ApiError {
  return new ApiError(
    'INVALID_ARGUMENT',
    `Cannot connect to "${shown(text)}": ${why}`,
    hint === undefined ? {} : { hint },
  );
}

function checkedPath(text: string, path: string, what: string): string {
  if (path.includes('\0')) throw bad(text, `the ${what} contains a NUL character`);
  if (!isAbsolute(path)) {
    throw bad(text, `the ${what} must be absolute`, 'For a relative state directory use --state DIR');
  }
  return posix.normalize(path);
}

function decoded(text: string, raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw bad(text, `the ${what} is not valid percent-encoding`);
  }
}

function parseVessel(text: string, url: URL, env: StateEnv): ConnectTarget {
  if (url.host !== '' || url.username !== '' || url.password !== '') {
    throw bad(
      text,
      'a vessel: URI names a local state directory, not a host',
      'Write vessel:///ABSOLUTE/PATH, or use http(s):// for a remote host',
    );
  }
  if (url.hash !== '') throw bad(text, 'a vessel: URI has no fragment');
  let socketPath: string | undefined;
  for (const [key, value] of url.searchParams) {
    if (key !== 'socket' || socketPath !== undefined)
      throw bad(text, `unknown or repeated parameter "${key}"`, 'The one parameter is socket=PATH');
    socketPath = checkedPath(text, value, 'socket path');
  }
  const stateDir =
    url.pathname === '/' || url.pathname === ''
      ? resolveStateDir(undefined, env)
      : checkedPath(text, decoded(text, url.pathname, 'path').replace(/\/+$/, ''), 'state directory');
  return socketPath === undefined
    ? { transport: 'socket', stateDir }
    : { transport: 'socket', stateDir, socketPath };
}

function parseRemote(
  text: string,
  url: URL,
  explicitPort: boolean,
  transport: 'cimxml' | 'wsman' | 'rest',
  profile?: HostProfile,
  hyperv = false,
): ConnectTarget {
  const proto = PROTOCOLS[transport];
  if (url.hostname === '') throw bad(text, 'the URL names no host');
  if (url.port === '0') throw bad(text, 'port 0 is not a port a host listens on');
  if (url.hash !== '') throw bad(text, `a ${proto.name} URL has no fragment`);
  let ca = profile?.ca;
  let insecure = profile?.insecure ?? false;
  const seen = new Set<string>();
  for (const [key, value] of url.searchParams) {
    if (seen.has(key)) throw bad(text, `parameter "${key}" is repeated`);
    seen.add(key);
    if (key === 'ca' && value !== '') ca = value;
    else if (key === 'insecure' && (value === '1' || value === '0')) insecure = value === '1';
    else
      throw bad(
        text,
        `unknown parameter "${key}=${value}"`,
        `${proto.name} takes ca=FILE and insecure=1 (https only)`,
      );
  }
  if ((ca !== undefined || insecure) && url.protocol !== 'https:')
    throw bad(text, 'ca and insecure apply to https only');
  const user = url.username === '' ? profile?.user : decoded(text, url.username, 'user name');
  const password = url.password === '' ? undefined : decoded(text, url.password, 'password');
  const path = transport === 'rest' || url.pathname === '/' ? proto.path : url.pathname;
  const platform = transport === 'wsman' ? (hyperv ? 'hyperv' : profile?.platform) : undefined;
  if (profile?.platform !== undefined && profile.platform !== 'hyperv')
    throw bad(text, `the profile's platform "${String(profile.platform).slice(0, 32)}" is not hyperv`);
  const endpoint = new URL(`${url.protocol}//${url.host}${path}`);
  // URL drops a scheme's default port (80, 443): only a URL without any port gets the protocol's.
  if (!explicitPort) endpoint.port = String(proto.ports[url.protocol]);
  return {
    transport,
    url: endpoint,
    insecure,
    ...(user === undefined || user === '' ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    ...(ca === undefined ? {} : { ca }),
    ...(platform === 'hyperv' ? { platform } : {}),
  };
}

function parseUrl(text: string, env: StateEnv, profile?: HostProfile): ConnectTarget {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined)
    throw bad(
      text,
      'it is neither a URI nor a saved host profile',
      'Save one with: vessel remote add NAME https://host:5989 --user admin',
    );
  const hyperv = scheme.startsWith('hyperv+');
  const wsman = scheme.startsWith('wsman+') || hyperv;
  const rest = scheme.startsWith('rest+');
  const plain = scheme.startsWith('cimxml+') || wsman || rest ? text.slice(scheme.indexOf('+') + 1) : text;
  let url: URL;
  try {
    url = new URL(plain);
  } catch {
    throw bad(text, 'it is not a valid URI');
  }
  if (scheme === 'vessel') return parseVessel(text, url, env);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    // WHATWG URL reads `http:///h` and `http:h` as host h; a connection must spell its host out.
    if (!AUTHORITY.test(plain)) throw bad(text, 'the URL names no host', 'Write http(s)://HOST[:PORT]');
    const transport = wsman ? 'wsman' : rest ? 'rest' : 'cimxml';
    if (rest && url.pathname !== '/' && url.pathname !== '/api/v1' && url.pathname !== '/api/v1/')
      throw bad(text, 'a REST URL names the host only (its API lies at /api/v1)');
    return parseRemote(text, url, EXPLICIT_PORT.test(plain), transport, profile, hyperv);
  }
  throw bad(
    text,
    `"${scheme}:" is not a Vessel connection`,
    'Use vessel:///STATE, http(s)://host[:port] or a profile name; hypervisor URIs (qemu:///, test:///) go to `host serve --driver`',
  );
}

/**
 * Parses what `-c/--connect` (or `$VESSEL_CONNECT`) names into a target, or throws INVALID_ARGUMENT saying what
 * is wrong (NOT_SUPPORTED for a transport this build lacks). A profile name is looked up in `profiles`; the
 * profile's URL must be a URL, not another profile.
 *
 * @example
 * parseConnectUri('vessel:///srv/vessel');            // { transport: 'socket', stateDir: '/srv/vessel' }
 * parseConnectUri('https://admin@h1');                 // cimxml, url https://h1:5989/cimom, user admin
 * parseConnectUri('wsman+https://h1');                 // wsman, url https://h1:5986/wsman
 * parseConnectUri('hyperv+http://hv1');                // wsman, url http://hv1:5985/wsman, platform hyperv
 * parseConnectUri('rest+https://h1');                  // rest, url https://h1:8443/
 * parseConnectUri('lab', { lab: { url: 'http://lab.example:5988' } });
 */
export function parseConnectUri(
  text: string,
  profiles: Readonly<Record<string, HostProfile>> = {},
  env: StateEnv = process.env,
): ConnectTarget {
  if (text.length === 0) throw bad(text, 'the connection is empty', 'Leave out --connect for the local host');
  if (text.length > MAX_CONNECT_CHARS)
    throw bad(`${text.slice(0, 64)}...`, `it is longer than ${MAX_CONNECT_CHARS} characters`);
  if (hasSpaceOrControl(text)) throw bad(text, 'it contains white space or control characters');
  if (PROFILE_NAME.test(text)) {
    const profile = Object.hasOwn(profiles, text) ? profiles[text] : undefined;
    if (profile === undefined)
      throw bad(
        text,
        'it is neither a URI nor a saved host profile',
        'Save one with: vessel remote add NAME https://host:5989 --user admin',
      );
    if (typeof profile.url !== 'string' || PROFILE_NAME.test(profile.url))
      throw bad(text, `the profile's url "${String(profile.url)}" is not a URL`);
    return parseUrl(profile.url, env, profile);
  }
  return parseUrl(text, env);
}
