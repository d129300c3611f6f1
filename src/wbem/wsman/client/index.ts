/**
 * The WS-Management client (issue 12): requests (request.ts), answers and faults (response.ts), values without
 * declarations (values.ts), enumerations (enumeration.ts), the client (client.ts), and the CIM operations the Api
 * over CIM runs on (operations.ts, api.ts: `vessel --connect wsman+https://host:5986`).
 */

export * from './api.js';
export * from './client.js';
export * from './enumeration.js';
export * from './hyperv/index.js';
export * from './operations.js';
export * from './request.js';
export * from './response.js';
export * from './values.js';
