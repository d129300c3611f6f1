import type { Command } from 'commander';
import type { Api, ConnectTarget, RemoteTarget } from '../api/index.js';
import { connectHostApi } from '../host/index.js';
import { RestApi } from '../rest/index.js';
import { CimXmlApi, connectWsmanHost } from '../wbem/index.js';
import { type Connection, connectionOf } from './connect/target.js';
import { readInput } from './files.js';

/**
 * The one way a command reaches a host: `connectApi(command)` reads `-c/--connect` (or `--host`,
 * `$VESSEL_CONNECT`, `$VESSEL_HOST`, else the host of `--state`), picks the transport from the URI and answers
 * an {@link Api}. Commands never ask which transport they got; a transport that cannot carry a method throws
 * NOT_SUPPORTED (exit 4), a host that does not answer HOST_NOT_RUNNING or HOST_UNREACHABLE (exit 3). Nothing
 * falls back to another host.
 */

/** Opens the Api of one kind of target. */
type Transport<T extends ConnectTarget['transport']> = (
  target: Extract<ConnectTarget, { transport: T }>,
  connection: Connection,
) => Promise<Api>;

/**
 * The transports, by the target's kind. `socket`: the running host of a state directory (or the socket named by
 * `?socket=`), over its unix socket with src/api/transport's protocol (`connectHostApi`). `cimxml`: any
 * DMTF System Virtualization host over CIM-XML (`CimXmlApi`); `wsman`: the same over WS-Management, or a
 * Hyper-V host's WMI v2 when the URI says `hyperv+` or Identify names Microsoft (`connectWsmanHost`); the user and password come from the URI or
 * profile, else `$VESSEL_USER`/`$VESSEL_PASSWORD` (or their older names `$VESSEL_CIM_USER`/`$VESSEL_CIM_PASSWORD`).
 */
const TRANSPORTS: { [T in ConnectTarget['transport']]: Transport<T> } = {
  socket: async (target) => connectHostApi(target),
  cimxml: async (target) => CimXmlApi.connect(await remoteOptions(target)),
  wsman: async (target) =>
    connectWsmanHost({
      ...(await remoteOptions(target)),
      ...(target.platform ? { platform: target.platform } : {}),
    }),
  rest: async (target) => {
    const o = await remoteOptions(target);
    const token = process.env.VESSEL_TOKEN;
    return new RestApi(token === undefined || token === '' ? o : { ...o, token });
  },
};

/** The endpoint and credentials of a CIM-XML or WS-Man target: from the URI or profile, else the environment. */
async function remoteOptions(target: RemoteTarget<'cimxml' | 'wsman' | 'rest'>) {
  return {
    url: target.url,
    user: target.user ?? process.env.VESSEL_USER ?? process.env.VESSEL_CIM_USER,
    password: target.password ?? process.env.VESSEL_PASSWORD ?? process.env.VESSEL_CIM_PASSWORD,
    ca: target.ca === undefined ? undefined : await readInput(target.ca),
    insecure: target.insecure,
  };
}

/**
 * The Api of the host the command names.
 *
 * @example
 * const api = await connectApi(command);
 * try { console.log(await api.systems.list()); } finally { await api.close(); }
 */
export async function connectApi(command: Command): Promise<Api> {
  const connection = await connectionOf(command);
  const open = TRANSPORTS[connection.target.transport] as Transport<ConnectTarget['transport']>;
  return open(connection.target, connection);
}

/**
 * Runs `fn` with the Api of the host the command names, closing the connection afterwards.
 *
 * @example
 * const vms = await withApi(command, (api) => api.systems.list());
 */
export async function withApi<T>(command: Command, fn: (api: Api) => Promise<T>): Promise<T> {
  const api = await connectApi(command);
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}
