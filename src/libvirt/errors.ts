import { VesselError, type VesselErrorOptions } from '../model/index.js';

/**
 * Error codes of the libvirt RPC client. `XDR_DECODE`/`XDR_ENCODE`: a value that is not valid XDR for its type
 * (with the path of the field); `PACKET_TOO_LARGE`: a length past the packet limit; `PROTOCOL`: a packet the
 * client cannot take (unknown program, serial or type); `CLOSED`: the connection ended (a call in flight gets
 * it); `TIMEOUT`: no reply in time; `KEEPALIVE`: the peer stopped answering pings; `REMOTE`: the daemon answered
 * with an error ({@link LibvirtRemoteError}, carrying libvirt's code and domain); `AUTH`: the daemon wants an
 * authentication this client does not do; `URI`: a libvirt URI this client cannot reach; `TLS`: a TLS session
 * that could not be set up (a certificate file missing, the daemon's certificate not verified against our CA or
 * not for the host name, our certificate refused by the daemon).
 */
export type LibvirtErrorCode =
  | 'XDR_DECODE'
  | 'XDR_ENCODE'
  | 'PACKET_TOO_LARGE'
  | 'PROTOCOL'
  | 'CLOSED'
  | 'TIMEOUT'
  | 'KEEPALIVE'
  | 'REMOTE'
  | 'AUTH'
  | 'URI'
  | 'TLS';

/**
 * An error of the libvirt client.
 *
 * @example
 * throw new LibvirtError('TIMEOUT', 'No reply to DOMAIN_CREATE (serial 7) within 30000 ms');
 */
export class LibvirtError extends VesselError<LibvirtErrorCode> {}

/** libvirt's error fields (virNetMessageError / virterror.h) as the daemon sent them. */
export interface RemoteErrorFields {
  /** virErrorNumber, e.g. 42 VIR_ERR_NO_DOMAIN. */
  libvirtCode: number;
  /** virErrorDomain, e.g. 12 VIR_FROM_TEST, 10 VIR_FROM_QEMU. */
  libvirtDomain: number;
  /** 1 warning, 2 error. */
  level: number;
}

/**
 * An error reply from the daemon (a packet with status 1 and a virNetMessageError payload).
 *
 * @example
 * if (e instanceof LibvirtRemoteError && e.libvirtCode === VIR_ERR.NO_DOMAIN) return undefined;
 */
export class LibvirtRemoteError extends LibvirtError {
  readonly libvirtCode: number;
  readonly libvirtDomain: number;
  readonly level: number;
  constructor(message: string, fields: RemoteErrorFields, options: VesselErrorOptions = {}) {
    super('REMOTE', message, options);
    this.libvirtCode = fields.libvirtCode;
    this.libvirtDomain = fields.libvirtDomain;
    this.level = fields.level;
  }
}

/** The virErrorNumber values (virterror.h) that callers act on. */
export const VIR_ERR = {
  INTERNAL_ERROR: 1,
  NO_SUPPORT: 3,
  INVALID_ARG: 8,
  OPERATION_FAILED: 9,
  NO_DOMAIN: 42,
  OPERATION_INVALID: 55,
  OPERATION_DENIED: 56,
  DOM_EXIST: 61,
  OPERATION_TIMEOUT: 68,
  AUTH_FAILED: 45,
  XML_ERROR: 27,
  RPC: 39,
  NO_DOMAIN_SNAPSHOT: 72,
  ARGUMENT_UNSUPPORTED: 74,
  AGENT_UNRESPONSIVE: 86,
} as const;
