import type { Duplex } from 'node:stream';
import { ApiError, type ByteChannel, type ConsolesApi } from '../../api/index.js';
import type { SessionContext } from './context.js';

/**
 * The consoles namespace: the log of the first serial port, and a live serial connection while the system runs
 * (a stopped one is INVALID_STATE at once, never a hang). The display (VNC) is not offered by the local host yet.
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
      if (kind !== 'serial') {
        throw new ApiError('NOT_SUPPORTED', `The local host does not offer the ${kind} console yet`);
      }
      if (v.state !== 'running' && v.state !== 'paused') {
        throw new ApiError(
          'INVALID_STATE',
          `Cannot open the serial console of "${v.name}": it is ${v.state}`,
        );
      }
      const access = await host.console(v.uuid);
      if (access.attach === undefined) {
        throw new ApiError('NOT_SUPPORTED', `The driver ${host.driver.uri} has no live serial console`);
      }
      return channelOf(await access.attach());
    },
  };
}
