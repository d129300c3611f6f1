import { VesselError } from '../model/index.js';

/**
 * Error codes of the host image builder (issue 16). `IMAGE_TOOLS` : a program the build needs is not installed
 * (the message names the Debian packages); `IMAGE_PRIVILEGE`: the build must run as root (mmdebstrap installs
 * into a plain directory and chroots into it); `IMAGE_BUILD`: a build step failed (its last output lines are in
 * the message); `IMAGE_OUTPUT`: an output would overwrite a file, or cannot be written; `IMAGE_USAGE`: a setting
 * is malformed (a host name, a port, a size, an empty password file).
 */
export type ImageErrorCode =
  | 'IMAGE_TOOLS'
  | 'IMAGE_PRIVILEGE'
  | 'IMAGE_BUILD'
  | 'IMAGE_OUTPUT'
  | 'IMAGE_USAGE';

/**
 * An error of the image builder.
 *
 * @example
 * throw new ImageError('IMAGE_USAGE', 'Port "99999" is not a TCP port (1-65535)');
 */
export class ImageError extends VesselError<ImageErrorCode> {}
