/**
 * CIM-XML (DSP0200 operations over HTTP, DSP0201 representation): request decoding, response encoding, dispatch to
 * the CIM object manager, the HTTP(S) server with Basic authentication and limits, and a client; indication export
 * (ExportIndication: the host's sender and a listener).
 */

export * from './api/index.js';
export * from './client.js';
export * from './decode-class.js';
export * from './decode-request.js';
export * from './decode-response.js';
export * from './decode-values.js';
export * from './dispatch.js';
export * from './dispatch-method.js';
export * from './dispatcher.js';
export * from './encode-class.js';
export * from './encode-qualifier.js';
export * from './encode-request.js';
export * from './encode-response.js';
export * from './encode-values.js';
export * from './errors.js';
export * from './export.js';
export * from './export-send.js';
export * from './headers.js';
export * from './host-api.js';
export * from './listener.js';
export * from './remote.js';
export * from './response-shape.js';
export * from './serve.js';
export * from './server.js';
export * from './test-host.js';
export * from './xml-read.js';
