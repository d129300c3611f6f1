import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ApiError } from '../../api/index.js';
import { VesselError } from '../../model/index.js';
import { namedConnectionOf } from '../connect/target.js';

/** The connection options of the raw protocol commands (`vessel cim`, `vessel wsman`). */
export interface RawConnOptions {
  url?: string;
  user?: string;
  password?: string;
  ca?: string;
  insecure?: boolean;
  namespace: string;
  json?: boolean;
}

/** What one raw command group speaks, and where it looks when nothing names the server. */
export interface RawProtocol {
  transport: 'cimxml' | 'wsman';
  /** `vessel cim speaks CIM-XML` */
  speaks: string;
  /** Environment variables: the server's URL, user and password. */
  env: { url: string; user: string; password: string };
  /** An example for the messages: `--connect http://127.0.0.1:5988 (vessel host serve --cim-http)`. */
  example: string;
}

const KIND_TEXT = {
  socket: 'the socket of a local host',
  cimxml: 'a CIM-XML host',
  wsman: 'a WS-Man host',
  rest: 'a REST host',
} as const;

/** The server, credentials and TLS trust a raw command uses. */
export interface RawEndpoint {
  url: string;
  user?: string | undefined;
  password?: string | undefined;
  ca?: Buffer | undefined;
  insecure?: boolean | undefined;
}

/** Adds the connection options every raw command takes. */
export function rawConnection(cmd: Command, p: RawProtocol, urlExample: string): Command {
  return cmd
    .option('--url <url>', `the server, e.g. ${urlExample} (default: $${p.env.url})`)
    .option('--user <name>', `user name (default: $${p.env.user})`)
    .option('--password <pw>', `password (default: $${p.env.password})`)
    .option('--ca <file>', 'trust this PEM certificate for HTTPS (e.g. the host’s cim-cert.pem)')
    .option('--insecure', 'accept any HTTPS certificate')
    .option('-n, --namespace <ns>', 'CIM namespace', 'root/virtualization')
    .option('--json', 'print the result as JSON');
}

/**
 * The server of a raw command: `--url`, else the host of `-c/--connect` (or `$VESSEL_CONNECT`, a saved profile)
 * when it speaks the protocol, else the protocol's environment variable. A connection of another kind is refused
 * (exit 4): these are that protocol's operations.
 *
 * @example
 * const e = await rawEndpoint(opts, command, CIMXML_RAW);
 * new CimClient(e.url, { user: e.user, password: e.password, ca: e.ca, insecure: e.insecure });
 */
export async function rawEndpoint(o: RawConnOptions, cmd: Command, p: RawProtocol): Promise<RawEndpoint> {
  const named = await namedConnectionOf(cmd);
  if (named !== undefined && named.target.transport !== p.transport) {
    const other = KIND_TEXT[named.target.transport];
    throw new ApiError('NOT_SUPPORTED', `${p.speaks}; ${named.source} ${named.text} is ${other}`, {
      hint: `Connect to its port instead, e.g. ${p.example}`,
    });
  }
  const t = named?.target.transport === p.transport ? named.target : undefined;
  if (o.url !== undefined && t !== undefined && new URL(o.url).host !== t.url.host)
    throw new VesselError(
      'USAGE',
      `--url ${o.url} and ${named?.source} ${named?.text} name different servers`,
    );
  const url = o.url ?? t?.url.href ?? process.env[p.env.url];
  if (!url)
    throw new VesselError(
      'USAGE',
      `Give the server with --url or --connect (or $${p.env.url}), e.g. ${p.example.split(' (')[0]}`,
    );
  const ca = o.ca ?? t?.ca;
  return {
    url,
    user: o.user ?? t?.user ?? process.env[p.env.user],
    password: o.password ?? t?.password ?? process.env[p.env.password],
    ca: ca ? await readFile(ca) : undefined,
    insecure: o.insecure || t?.insecure,
  };
}
