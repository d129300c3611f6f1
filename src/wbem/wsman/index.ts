/**
 * WS-Management (DSP0226, with the WS-CIM binding DSP0227 and mapping DSP0230): SOAP 1.2 envelopes read with the
 * hardened XML reader, answered through the CIM object manager of src/cim (the same providers, pull contexts,
 * users and roles as CIM-XML), on the shared HTTP(S) server. Protocol code only: no CIM semantics of its own.
 */

export * from './class-get.js';
export * from './client/index.js';
export * from './decode.js';
export * from './dispatch.js';
export * from './dispatcher.js';
export * from './encode.js';
export * from './enumerate.js';
export * from './envelope.js';
export * from './errors.js';
export * from './eventing.js';
export * from './fault.js';
export * from './invoke.js';
export * from './names.js';
export * from './resource.js';
export * from './server.js';
