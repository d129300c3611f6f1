/**
 * CIM datetime values (DSP0004 §5.2.4): timestamps `yyyymmddhhmmss.mmmmmmsutc` and intervals
 * `ddddddddhhmmss.mmmmmm:000`.
 */

/** A timestamp in UTC, e.g. `20240131120000.000000+000`. */
export function cimTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}+000`
  );
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * A timestamp from an ISO 8601 UTC text (`Date.toISOString`'s form, as the Api's timestamps are) without a Date in
 * between: this runs on every read of a system.
 *
 * @example
 * cimTimestampOf('2024-01-31T12:00:00.250Z'); // '20240131120000.250000+000'
 */
export function cimTimestampOf(iso: string): string {
  const kept = timestamps.get(iso);
  if (kept !== undefined) return kept;
  const cim = ISO_UTC.test(iso)
    ? `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.${iso.slice(20, 23)}000+000`
    : cimTimestamp(new Date(iso));
  if (timestamps.size >= MAX_TIMESTAMPS) timestamps.clear();
  timestamps.set(iso, cim);
  return cim;
}

/**
 * {@link cimTimestampOf}'s answers by ISO text (a pure function of it): a system's change time is read and written
 * on every Get of it, and most of them do not change between two reads. A few thousand at most.
 */
const timestamps = new Map<string, string>();
const MAX_TIMESTAMPS = 4096;

/** An interval from milliseconds, e.g. 1500 → `00000000000001.500000:000`. */
export function cimInterval(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  const micro = (total % 1000) * 1000;
  let s = Math.floor(total / 1000);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(days, 8)}${p(Math.floor(s / 3600))}${p(Math.floor((s % 3600) / 60))}${p(s % 60)}.${p(micro, 6)}:000`;
}

/** The length of an interval in milliseconds, or undefined when the text is not an interval. */
export function parseCimInterval(text: string): number | undefined {
  const m = /^(\d{8})(\d{2})(\d{2})(\d{2})\.(\d{6}):000$/.exec(text.trim());
  if (!m) return undefined;
  const [, d, h, mi, s, us] = m.map(Number) as [number, number, number, number, number, number];
  return ((d * 24 + h) * 60 + mi) * 60_000 + s * 1000 + Math.floor(us / 1000);
}
