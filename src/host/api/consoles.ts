import type { Duplex } from 'node:stream';
import { ApiError, type ByteChannel, type ConsolesApi } from '../../api/index.js';
import { type HypervisorDriver, HypervisorError, requireOperation } from '../../hypervisor/index.js';
import type { SessionContext } from './context.js';

/**
 * The consoles namespace: the log of the first serial port, and a live serial connection while the system runs
 * (a stopped one is INVALID_STATE at once, never a hang), and a PNG screenshot of the display (the driver's).
 */

/** A Node stream as the Api's ByteChannel. */
function channelOf(stream: Duplex | (NodeJS.ReadWriteStream & { destroy(): void })): ByteChannel {
  const s = stream as Duplex;
  return {
    input: (async function* () {
      for await (const chunk of s)
        yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    })(),
    write: (bytes) =>
      new Promise((resolve, reject) => {
        s.write(bytes, (e) => (e ? reject(e) : resolve()));
      }),
    close: async () => {
      s.destroy();
    },
  };
}

/**
 * A new connection to the display of a running system, speaking RFB: the driver makes it (QEMU hands one end of
 * a socket pair to its VNC server, which listens nowhere), so no port or path exists that another user could use.
 */
async function openDisplay(driver: HypervisorDriver, uuid: string, name: string) {
  if (driver.display === undefined)
    throw new ApiError('NOT_SUPPORTED', `The driver ${driver.uri} has no graphical console`);
  const display = await driver.display(uuid);
  if (display === undefined)
    throw new ApiError('NOT_SUPPORTED', `"${name}" has no VNC display (its definition has no VNC graphics)`);
  try {
    return await display.connect();
  } catch (e) {
    if (e instanceof HypervisorError && e.code === 'NOT_SUPPORTED') throw e;
    throw new ApiError('INTERNAL', `Cannot reach the VNC server of "${name}": ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * The consoles namespace of a session.
 *
 * @example
 * const text = await consolesApi(ctx).log('web1', { maxBytes: 4096 });
 */
export function consolesApi(ctx: SessionContext): ConsolesApi {
  const { host } = ctx;
  return {
    async log(ref, o = {}) {
      const { uuid } = host.get(ref);
      return (await host.console(uuid)).readLog(o.maxBytes);
    },
    async open(ref, kind) {
      const v = host.get(ref);
      if (v.state !== 'running' && v.state !== 'paused') {
        throw new ApiError(
          'INVALID_STATE',
          `Cannot open the ${kind} console of "${v.name}": it is ${v.state}`,
        );
      }
      if (kind === 'vnc') return channelOf(await openDisplay(host.driver, v.uuid, v.name));
      const access = await host.console(v.uuid);
      if (access.attach === undefined) {
        throw new ApiError('NOT_SUPPORTED', `The driver ${host.driver.uri} has no live serial console`);
      }
      return channelOf(await access.attach());
    },
    async screenshot(ref) {
      const v = host.get(ref);
      if (v.state !== 'running' && v.state !== 'paused') {
        throw new ApiError('INVALID_STATE', `Cannot take a screenshot of "${v.name}": it is ${v.state}`);
      }
      return await requireOperation(host.driver, 'screenshot')(v.uuid);
    },
  };
}
