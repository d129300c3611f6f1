/** The decoded form of a WS-Man request envelope and the header values' syntax, shared by its two readers. */
import type { XmlElement } from '../../xml/index.js';

/** Limits of a request envelope's shape (its size is the HTTP body limit). */
export interface EnvelopeLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
  maxAttributes: number;
  maxTextChars: number;
}

/** One `wsman:Option` of an OptionSet. */
export interface WsmanOption {
  name: string;
  value: string;
  mustComply: boolean;
}

/** A decoded request: the addressing and WS-Man headers, and the body's first element. */
export interface WsmanRequest {
  /** undefined for Identify, which has no Action. */
  action: string | undefined;
  /** As sent: may be empty or a bare UUID (wsl). */
  messageId: string | undefined;
  resourceUri: string | undefined;
  /** Selector name to value: text, or a nested EPR (a reference key). */
  selectors: Map<string, string | XmlElement>;
  options: WsmanOption[];
  /** MaxEnvelopeSize in bytes, when given. */
  maxEnvelopeSize: number | undefined;
  /** OperationTimeout in ms, when given. */
  timeoutMs: number | undefined;
  /** RequestTotalItemsCountEstimate was sent (DSP0226 §8.2.4): enumeration answers carry the count. */
  countEstimate: boolean;
  /** The first element of the body, if any. */
  body: XmlElement | undefined;
  /** wsa:To as sent (not checked: clients name other hosts); WS-Eventing's subscription manager address. */
  to?: string | undefined;
  /** WS-Eventing's wse:Identifier header: the subscription a Renew, GetStatus or Unsubscribe is about. */
  identifier?: string | undefined;
}

/**
 * An xs:duration of days, hours, minutes and seconds (`PT60S`, `PT1M30.5S`, `P1DT2H`) in ms; years and months
 * are refused (a timeout of months is no timeout).
 *
 * @example
 * parseDuration('PT1M30S'); // 90000
 */
export function parseDuration(text: string): number | undefined {
  const m = /^P(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,9}(?:\.\d{1,9})?)S)?)?$/.exec(
    text.trim(),
  );
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) return undefined;
  const [, d, h, mi, s] = m;
  return Math.round(
    ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(mi ?? 0)) * 60_000 + Number(s ?? 0) * 1000,
  );
}

/** Envelopes up to this size are tried with the fast readers (they run in one go: a few ms at most). */
export const FAST_BYTES = 64 * 1024;
