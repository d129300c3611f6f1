import { ApiError, SocketApi, type SocketApiOptions } from '../../api/index.js';
import { checkOwnSocket } from '../../hypervisor/index.js';
import { VesselError } from '../../model/index.js';
import { checkedHostSocket } from '../paths.js';

/** Where a socket connection goes: a state directory, and optionally another socket path (`vessel:///S?socket=P`). */
export interface HostSocketTarget {
  stateDir: string;
  socketPath?: string | undefined;
}

function notRunning(stateDir: string): ApiError {
  return new ApiError('HOST_NOT_RUNNING', `No Vessel host is running for the state directory ${stateDir}`, {
    hint: `Start one with: vessel host serve --state ${stateDir}`,
  });
}

/** The socket to connect to, checked to be this user's own (in a private run directory unless named). */
function socketOf(t: HostSocketTarget): string | undefined {
  try {
    if (t.socketPath === undefined) return checkedHostSocket(t.stateDir);
    return checkOwnSocket(t.socketPath) ? t.socketPath : undefined;
  } catch (e) {
    // A run directory or socket another user could have planted is never connected to (RUN_DIR_UNSAFE).
    const detail =
      e instanceof VesselError ? { domain: 'hypervisor', code: String(e.code).slice(0, 64) } : undefined;
    throw new ApiError(
      'HOST_UNREACHABLE',
      `Cannot reach the host of ${t.stateDir}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e, detail, hint: e instanceof VesselError ? e.hint : undefined },
    );
  }
}

/**
 * The Api of the host of a state directory, over its unix socket (what `vessel --connect vessel:///STATE` and
 * every local command use). The socket and its run directory are checked to be this user's own before any
 * connection; HOST_NOT_RUNNING (with the command that starts one) when no host answers, HOST_UNREACHABLE when
 * the socket is unsafe or the connection fails, PROTOCOL when the peer speaks another protocol or version.
 *
 * @example
 * const api = await connectHostApi({ stateDir: resolveStateDir() });
 * console.log((await api.host.info()).name);
 * await api.close();
 */
export async function connectHostApi(t: HostSocketTarget, o: SocketApiOptions = {}): Promise<SocketApi> {
  const path = socketOf(t);
  if (path === undefined) throw notRunning(t.stateDir);
  try {
    return await SocketApi.connect(path, { ...o, stateDir: t.stateDir });
  } catch (e) {
    // A socket file whose host has died refuses connections: that host is not running.
    if (e instanceof ApiError && e.code === 'HOST_NOT_RUNNING') throw notRunning(t.stateDir);
    throw e;
  }
}
