import { ImageError } from './errors.js';

/** The label the image's mount unit looks for (scripts/image/rootfs/etc/systemd/system/var-lib-vessel.mount). */
export const STATE_LABEL = 'vessel-state';

/** The settings file on the state disk; systemd reads it as an EnvironmentFile (never executed). */
export const SETTINGS_FILE = 'image.env';

/** What the booted image reads from its state disk: the host name and the HTTPS management ports. */
export interface StateSettings {
  hostname: string;
  cimHttpsPort: number;
  wsmanHttpsPort: number;
  httpsPort: number;
}

/** The appliance's defaults: CIM-XML 5989 (DSP0200), WS-Man 5986 (DSP0226), REST/UI on 443. */
export const DEFAULT_STATE_SETTINGS: Readonly<StateSettings> = {
  hostname: 'vessel',
  cimHttpsPort: 5989,
  wsmanHttpsPort: 5986,
  httpsPort: 443,
};

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Parses a port given on the command line: a whole number 1-65535.
 *
 * @example
 * parsePort('5989', '--cim-https'); // 5989
 */
export function parsePort(text: string, option: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= 65535))
    throw new ImageError('IMAGE_USAGE', `${option} "${text.slice(0, 20)}" is not a TCP port (1-65535)`);
  return n;
}

/**
 * Checks settings (a usable host name, three different ports) and writes them as the lines of image.env. Plain
 * HTTP listeners stay off in the image (vessel.service sets them to 0).
 *
 * @example
 * formatSettings(DEFAULT_STATE_SETTINGS);
 * // 'VESSEL_HOSTNAME=vessel\nVESSEL_CIM_HTTPS=5989\nVESSEL_WSMAN_HTTPS=5986\nVESSEL_HTTPS=443\n'
 */
export function formatSettings(s: StateSettings): string {
  if (!HOSTNAME.test(s.hostname))
    throw new ImageError(
      'IMAGE_USAGE',
      `Host name "${s.hostname.slice(0, 64)}" is not usable: letters, digits, inner hyphens, dot-separated`,
    );
  const ports = [s.cimHttpsPort, s.wsmanHttpsPort, s.httpsPort];
  for (const p of ports)
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      throw new ImageError('IMAGE_USAGE', `Port ${p} is not a TCP port (1-65535)`);
  if (new Set(ports).size !== ports.length)
    throw new ImageError(
      'IMAGE_USAGE',
      `The CIM-XML, WS-Man and REST ports must differ: ${ports.join(', ')}`,
    );
  return [
    `VESSEL_HOSTNAME=${s.hostname}`,
    `VESSEL_CIM_HTTPS=${s.cimHttpsPort}`,
    `VESSEL_WSMAN_HTTPS=${s.wsmanHttpsPort}`,
    `VESSEL_HTTPS=${s.httpsPort}`,
    '',
  ].join('\n');
}
