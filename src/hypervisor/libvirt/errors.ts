import { LibvirtError, LibvirtRemoteError, VIR_ERR } from '../../libvirt/index.js';
import { HypervisorError, type HypervisorErrorCode } from '../errors.js';

/** libvirt's error numbers that have a Vessel code; every other one is `LIBVIRT_FAILED`. */
const BY_LIBVIRT_CODE: Record<number, HypervisorErrorCode> = {
  [VIR_ERR.NO_DOMAIN]: 'VM_NOT_FOUND',
  [VIR_ERR.OPERATION_INVALID]: 'INVALID_STATE',
  [VIR_ERR.DOM_EXIST]: 'VM_EXISTS',
  [VIR_ERR.XML_ERROR]: 'DEFINITION_INVALID',
  [VIR_ERR.NO_SUPPORT]: 'NOT_SUPPORTED',
  [VIR_ERR.ARGUMENT_UNSUPPORTED]: 'NOT_SUPPORTED',
  [VIR_ERR.OPERATION_TIMEOUT]: 'TIMEOUT',
};

/**
 * A libvirt client error as the driver's error, mapped once here: the daemon's error numbers to Vessel's codes
 * (VIR_ERR_NO_DOMAIN -> VM_NOT_FOUND, VIR_ERR_OPERATION_INVALID -> INVALID_STATE, ...), a call that timed out to
 * `TIMEOUT`, the connection lost (closed, reset, keepalive unanswered) to `LIBVIRT_DISCONNECTED` (the driver
 * reconnects), and everything else (a protocol error, another daemon error) to `LIBVIRT_FAILED` (a TLS session that could not be set up too, with the client's hint). `what` says what was being
 * done. Errors that are not the client's pass through.
 *
 * @example
 * await client.call('DOMAIN_CREATE', { dom }).catch((e) => { throw hypervisorError(e, 'Cannot start "web1"'); });
 */
export function hypervisorError(e: unknown, what: string): unknown {
  if (!(e instanceof LibvirtError)) return e;
  const code =
    e instanceof LibvirtRemoteError
      ? (BY_LIBVIRT_CODE[e.libvirtCode] ?? 'LIBVIRT_FAILED')
      : e.code === 'TIMEOUT'
        ? 'TIMEOUT'
        : e.code === 'URI'
          ? 'NOT_SUPPORTED'
          : e.code === 'CLOSED' || e.code === 'KEEPALIVE'
            ? 'LIBVIRT_DISCONNECTED'
            : 'LIBVIRT_FAILED';
  return new HypervisorError(code, `${what}: ${e.message}`, {
    cause: e,
    ...(code === 'LIBVIRT_DISCONNECTED'
      ? { hint: 'libvirtd went away; the driver reconnects with backoff, retry once it is back' }
      : e.hint === undefined
        ? {}
        : { hint: e.hint }),
  });
}
