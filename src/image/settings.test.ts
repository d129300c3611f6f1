import { describe, expect, it } from 'vitest';
import { ImageError } from './errors.js';
import { DEFAULT_STATE_SETTINGS, formatSettings, parsePort } from './settings.js';

describe('state disk settings', () => {
  it('formatSettings() writes the host name and the three HTTPS ports as environment lines', () => {
    expect(formatSettings({ ...DEFAULT_STATE_SETTINGS, hostname: 'hv1.example.org' })).toBe(
      'VESSEL_HOSTNAME=hv1.example.org\nVESSEL_CIM_HTTPS=5989\nVESSEL_WSMAN_HTTPS=5986\nVESSEL_HTTPS=443\n',
    );
  });

  it.each([
    ['a host name with a newline (which would add a setting)', { hostname: 'a\nVESSEL_HTTP=80' }],
    ['a host name with a space', { hostname: 'a b' }],
    ['a host name starting with a hyphen', { hostname: '-a' }],
    ['two equal ports', { httpsPort: 5989 }],
    ['port 0', { httpsPort: 0 }],
  ])('formatSettings() refuses %s with IMAGE_USAGE', (_what, change) => {
    const err = (() => {
      try {
        formatSettings({ ...DEFAULT_STATE_SETTINGS, ...change });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe('IMAGE_USAGE');
  });

  it('parsePort() reads 1-65535 and refuses anything else', () => {
    expect(parsePort('443', '--https')).toBe(443);
    for (const bad of ['0', '65536', '-1', '44x', ''])
      expect(() => parsePort(bad, '--https')).toThrow(/--https .* is not a TCP port/);
  });
});
