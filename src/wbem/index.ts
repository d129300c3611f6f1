/**
 * The WBEM protocols over the shared HTTP(S) server (http/: TLS, authentication, limits, throttling): CIM-XML
 * (DSP0200/DSP0201) — server, client and the SDK's remote host — over the CIM object manager of src/cim.
 */
export * from './cimxml/index.js';
export * from './http/index.js';
export * from './wsman/index.js';
