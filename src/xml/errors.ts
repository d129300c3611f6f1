import { VesselError } from '../model/index.js';

/** Error codes of the XML layer. */
export type XmlErrorCode = 'XML_SYNTAX' | 'XML_DOCTYPE' | 'XML_TOO_LARGE' | 'XML_TOO_DEEP';

/** XML that is not well formed, or that the hardened reader refuses. Always carries a line and column. */
export class XmlError extends VesselError<XmlErrorCode> {}
