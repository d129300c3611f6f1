import { VesselError } from '../model/index.js';

/** Error codes thrown by the OVF reader and writer. Validation findings are diagnostics, not errors. */
export type OvfErrorCode =
  | 'OVF_XML_SYNTAX'
  | 'OVF_XML_DOCTYPE'
  | 'OVF_XML_TOO_LARGE'
  | 'OVF_NOT_OVF'
  | 'OVF_UNSUPPORTED_VERSION'
  | 'OVF_EDIT'
  | 'OVF_NOT_FOUND';

/** A descriptor that cannot be read at all, or an edit that cannot be made. */
export class OvfError extends VesselError<OvfErrorCode> {}
