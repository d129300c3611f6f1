/**
 * The WBEM protocols: CIM-XML (DSP0200/DSP0201) — server, client and the SDK's remote host — over the CIM
 * object manager of src/cim.
 */
export * from './cimxml/index.js';
