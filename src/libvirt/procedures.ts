/** The typed view of the generated procedure table the client calls through, and the daemon's error replies. */
import { type LibvirtError, LibvirtRemoteError } from './errors.js';
import { type RemoteProcedureTypes, VirNetMessageError } from './generated/remote.js';
import { decodeXdr } from './xdr/decode.js';

/** A procedure the client knows the types of. */
export type ProcedureName = keyof RemoteProcedureTypes;
/** The argument of a procedure. */
export type ArgsOf<P extends ProcedureName> = RemoteProcedureTypes[P]['args'];
/** The return value of a procedure. */
export type RetOf<P extends ProcedureName> = RemoteProcedureTypes[P]['ret'];

/** An event from the daemon (a type 2 packet of REMOTE_PROGRAM), decoded. */
export type LibvirtEvent = {
  [P in ProcedureName]: RemoteProcedureTypes[P]['msg'] extends undefined
    ? never
    : { procedure: P; msg: RemoteProcedureTypes[P]['msg'] };
}[ProcedureName];

/** The daemon's virNetMessageError as a {@link LibvirtRemoteError} (or `XDR_DECODE` when it is not one). */
export function remoteError(what: string, payload: Buffer): LibvirtError {
  const e = decodeXdr(VirNetMessageError, payload);
  return new LibvirtRemoteError(e.message ?? `libvirtd refused ${what} (error ${e.code})`, {
    libvirtCode: e.code,
    libvirtDomain: e.domain,
    level: e.level,
  });
}
