import { describe, expect, it } from 'vitest';
import { cimInterval, cimTimestamp, cimTimestampOf, parseCimInterval } from './datetime.js';

describe('CIM datetimes', () => {
  it('writes an ISO UTC text as the timestamp a Date would give, without the Date', () => {
    for (const iso of [
      '2024-01-31T12:00:00.250Z',
      '1999-12-31T23:59:59.999Z',
      '2026-12-03T00:00:00.000Z',
      new Date().toISOString(),
    ])
      expect(cimTimestampOf(iso)).toBe(cimTimestamp(new Date(iso)));
    expect(cimTimestampOf('2024-01-31T12:00:00.250Z')).toBe('20240131120000.250000+000');
  });

  it('reads other ISO forms (an offset, no milliseconds) through a Date', () => {
    expect(cimTimestampOf('2024-01-31T13:00:00+01:00')).toBe('20240131120000.000000+000');
    expect(cimTimestampOf('2024-01-31T12:00:00Z')).toBe('20240131120000.000000+000');
  });

  it('answers the same for a text it wrote before, and for thousands of others after it', () => {
    const iso = '2024-01-31T12:00:00.250Z';
    expect(cimTimestampOf(iso)).toBe(cimTimestampOf(iso));
    for (let ms = 0; ms < 5000; ms++) {
      const other = new Date(Date.UTC(2025, 0, 1) + ms * 1001).toISOString();
      expect(cimTimestampOf(other)).toBe(cimTimestamp(new Date(other)));
    }
    expect(cimTimestampOf(iso)).toBe('20240131120000.250000+000');
    expect(cimTimestampOf('2024-01-31T13:00:00+01:00')).toBe('20240131120000.000000+000');
  });

  it('writes and reads intervals', () => {
    expect(cimInterval(90_061_500)).toBe('00000001010101.500000:000');
    expect(parseCimInterval(cimInterval(90_061_500))).toBe(90_061_500);
    expect(parseCimInterval('not an interval')).toBeUndefined();
  });
});
