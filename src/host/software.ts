import type { HostInfo } from '../api/index.js';
import { VESSEL_PLATFORM_VERSION } from './deploy/deploy.js';

/** The software a host reports: {@link HostInfo}'s `software`. */
export type HostSoftware = NonNullable<HostInfo['software']>;

/** An image version as build.sh writes it (`0.1.0+g4a61884`): a package version's characters, at most 64. */
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+~_-]{0,63}$/;
const DIGEST = /^[0-9a-f]{64}$/;

/**
 * What the host runs, from its environment: a Vessel host image's vessel.service passes VESSEL_IMAGE_VERSION (from
 * /etc/vessel-image, written by the build) and VESSEL_IMAGE_DIGEST (the SHA-256 of the boot medium's
 * live/SHA256SUMS, computed at boot by vessel-setup). Outside an image, or when either value is malformed, the
 * Vessel package version and no digest: a value the host cannot vouch for is not reported.
 *
 * @example
 * hostSoftware({}); // { version: '0.1.0', image: false }
 * hostSoftware({ VESSEL_IMAGE_VERSION: '0.1.0+g4a61884', VESSEL_IMAGE_DIGEST: 'ab12...' }).image; // true
 */
export function hostSoftware(env: NodeJS.ProcessEnv = process.env): HostSoftware {
  const version = env.VESSEL_IMAGE_VERSION;
  if (version === undefined || !VERSION.test(version))
    return { version: VESSEL_PLATFORM_VERSION, image: false };
  const digest = env.VESSEL_IMAGE_DIGEST;
  return { version, image: true, ...(digest !== undefined && DIGEST.test(digest) ? { digest } : {}) };
}
