import { VesselError } from '../model/index.js';

/**
 * Error codes of the native-format converters, documented in one place:
 * - `FORMAT_UNKNOWN`: the input is none of the formats Vessel converts (OVF, vmx, libvirt, vbox, Hyper-V, KubeVirt).
 * - `FORMAT_SYNTAX`: the input is not well formed in its own format (a vmx line, YAML, JSON); carries file/line/column.
 * - `FORMAT_INVALID`: well formed, but a value has the wrong type or is out of range (`numvcpus = "two"`).
 * - `FORMAT_TOO_LARGE`: the input is bigger or deeper than any real definition (a YAML alias bomb, a 100 MiB vmx).
 * - `FORMAT_UNSAFE_PATH`: a disk file name climbs out of its folder (`../../etc/shadow`) or holds control characters.
 * - `FORMAT_DISK_CAPACITY`: converting to OVF needs a disk's capacity, and neither the input nor the image gives it.
 * - `FORMAT_UNSUPPORTED`: something the conversion cannot do at all (a remote disk URL, a VirtualSystemCollection).
 */
export type FormatErrorCode =
  | 'FORMAT_UNKNOWN'
  | 'FORMAT_SYNTAX'
  | 'FORMAT_INVALID'
  | 'FORMAT_TOO_LARGE'
  | 'FORMAT_UNSAFE_PATH'
  | 'FORMAT_DISK_CAPACITY'
  | 'FORMAT_UNSUPPORTED';

/** An input the converters refuse, with where it is when known. */
export class FormatError extends VesselError<FormatErrorCode> {}
