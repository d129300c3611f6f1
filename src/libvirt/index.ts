/**
 * libvirt's RPC protocol in TypeScript (no native addon): an XDR codec (RFC 4506) over descriptors generated from
 * libvirt's remote_protocol.x (scripts/gen-libvirt.mjs), packet framing, and the client (calls, errors,
 * keepalive, events, streams) over a unix socket or any duplex stream. Used by the libvirt hypervisor driver;
 * knows nothing of Vessel's model.
 */

export * from './client.js';
export * from './connect.js';
export * from './errors.js';
export * from './generated/remote.js';
export * from './keepalive.js';
export * from './packet.js';
export type { ArgsOf, LibvirtEvent, ProcedureName, RetOf } from './procedures.js';
export * from './stream.js';
export * from './tls.js';
export type { ByteTransport } from './transport.js';
export { decodeXdr } from './xdr/decode.js';
export { encodeXdr } from './xdr/encode.js';
export * from './xdr/types.js';
