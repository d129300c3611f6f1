import { Duplex } from 'node:stream';
import type { LibvirtClient, LibvirtStream, RemoteNonnullDomain } from '../../libvirt/index.js';
import { HypervisorError } from '../errors.js';
import type { ConsoleAccess } from '../types.js';
import { hypervisorError } from './errors.js';

/** How much console output is kept per system (the newest bytes). */
export const CONSOLE_LOG_BYTES = 1 << 20;
/** VIR_DOMAIN_CONSOLE_FORCE: take the console over from another client, as `virsh console --force`. */
const CONSOLE_FORCE = 1;

interface Capture {
  stream: LibvirtStream;
  log: Buffer[];
  bytes: number;
}

/**
 * The serial consoles of a libvirt connection: one libvirt stream per running system (DOMAIN_OPEN_CONSOLE, as
 * `virsh console`), whose output is kept (the last {@link CONSOLE_LOG_BYTES}) for `readLog` and shared with every
 * `attach`. A system started elsewhere (virsh) gets its stream at the first `console` call.
 *
 * @example
 * const consoles = new Consoles(() => client);
 * await consoles.capture(uuid, dom);
 * (await consoles.access(uuid, dom, 'running')).readLog();
 */
export class Consoles {
  private readonly captures = new Map<string, Capture>();
  /** Output of systems whose stream ended, kept until they start again. */
  private readonly ended = new Map<string, Buffer[]>();

  /** `client` gives the connection's current client (a new one after a reconnect). */
  constructor(private readonly client: () => LibvirtClient) {}

  /** Opens the console stream of a running system and starts keeping its output (a no-op when already open). */
  async capture(uuid: string, dom: RemoteNonnullDomain): Promise<Capture> {
    const open = this.captures.get(uuid);
    if (open !== undefined && !open.stream.destroyed) return open;
    let stream: LibvirtStream;
    try {
      stream = await this.client().openStream('DOMAIN_OPEN_CONSOLE', {
        dom,
        dev_name: undefined,
        flags: CONSOLE_FORCE,
      });
    } catch (e) {
      throw hypervisorError(e, `Cannot open the console of "${dom.name}"`);
    }
    const c: Capture = { stream, log: [], bytes: 0 };
    this.ended.delete(uuid);
    this.captures.set(uuid, c);
    stream.on('data', (b: Buffer) => {
      c.log.push(b);
      c.bytes += b.length;
      while (c.bytes - (c.log[0]?.length ?? 0) >= CONSOLE_LOG_BYTES) c.bytes -= c.log.shift()!.length;
    });
    const done = () => {
      if (this.captures.get(uuid) === c) {
        this.captures.delete(uuid);
        this.ended.set(uuid, c.log);
      }
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
    return c;
  }

  /** The console of a system in `state`: its log, and a live connection while it runs. */
  access(uuid: string, dom: RemoteNonnullDomain, running: boolean): ConsoleAccess {
    return {
      readLog: async (maxBytes = CONSOLE_LOG_BYTES) => {
        // A system started elsewhere: its output from now on (libvirt's test driver has no console: none).
        if (running && !this.captures.has(uuid)) await this.capture(uuid, dom).catch(() => undefined);
        const log = Buffer.concat(this.captures.get(uuid)?.log ?? this.ended.get(uuid) ?? []);
        return log.subarray(Math.max(0, log.length - maxBytes)).toString('utf8');
      },
      attach: async () => {
        if (!running) {
          throw new HypervisorError(
            'INVALID_STATE',
            `Cannot attach to the console of "${dom.name}": it is stopped`,
          );
        }
        return tee(await this.capture(uuid, dom));
      },
    };
  }

  /** Closes every stream. */
  close(): void {
    for (const c of this.captures.values()) c.stream.destroy();
    this.captures.clear();
  }
}

/** A duplex that reads what the shared console stream says from now on and writes into it. */
function tee(c: Capture): Duplex & { destroy(): void } {
  const onData = (b: Buffer) => out.push(b);
  const out = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      c.stream.write(chunk, done);
    },
    destroy(err, done) {
      c.stream.off('data', onData);
      done(err);
    },
  });
  c.stream.on('data', onData);
  c.stream.once('end', () => out.push(null));
  return out;
}
