import type { ConversionWarning, WarningCode } from './types.js';

/** Collects what a conversion could not express, each message once, in the order found. */
export class Warnings {
  readonly list: ConversionWarning[] = [];
  readonly #seen = new Set<string>();

  /** Records one warning; the same message twice is kept once. */
  add(code: WarningCode, message: string): void {
    const key = `${code}\u0000${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push({ code, message });
  }
}
