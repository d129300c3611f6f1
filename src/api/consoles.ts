import type { ConsoleKind } from './capabilities.js';
import type { ByteChannel, SystemRef } from './common.js';

/**
 * The consoles of a system: the log of its first serial port, and live connections to the serial port (raw
 * bytes) or the display (RFB), and a PNG picture of the display.
 *
 * @example
 * console.log(await api.consoles.log('web1', { maxBytes: 65536 }));
 * const png = await api.consoles.screenshot('web1'); // Uint8Array starting 0x89 'PNG'
 */
export interface ConsolesApi {
  /** What the guest wrote to its first serial port (the last `maxBytes`). */
  log(ref: SystemRef, o?: { maxBytes?: number }): Promise<string>;
  /** A live connection; INVALID_STATE on a stopped system (it never hangs). */
  open(ref: SystemRef, kind: ConsoleKind): Promise<ByteChannel>;
  /**
   * The display of a running system as a PNG image (QEMU's `screendump`); INVALID_STATE on a stopped system,
   * NOT_SUPPORTED where the driver or the transport cannot take one.
   */
  screenshot(ref: SystemRef): Promise<Uint8Array>;
}
