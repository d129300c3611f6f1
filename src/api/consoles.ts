import type { ConsoleKind } from './capabilities.js';
import type { ByteChannel, SystemRef } from './common.js';

/**
 * The consoles of a system: the log of its first serial port, and live connections to the serial port (raw
 * bytes) or the display (RFB).
 *
 * @example
 * console.log(await api.consoles.log('web1', { maxBytes: 65536 }));
 */
export interface ConsolesApi {
  /** What the guest wrote to its first serial port (the last `maxBytes`). */
  log(ref: SystemRef, o?: { maxBytes?: number }): Promise<string>;
  /** A live connection; INVALID_STATE on a stopped system (it never hangs). */
  open(ref: SystemRef, kind: ConsoleKind): Promise<ByteChannel>;
}
