/**
 * The REST/JSON edge: the host's Api at /api/v1 on the shared HTTP server (src/wbem/http), a third encoding of the
 * one Api beside the socket and CIM-XML. JSON bodies are the Api's types; changes are jobs (202 + Location);
 * errors are RFC 9457 problem details (REST_STATUS_OF); the contract is the OpenAPI 3.1 document generated from
 * the route table and the Api's schemas (openapi.json, checked in).
 */

export * from './client/index.js';
export * from './consoles-ws.js';
export * from './errors.js';
export * from './event-streams.js';
export * from './metrics-route.js';
export * from './openapi.js';
export * from './problem.js';
export * from './prometheus.js';
export * from './request.js';
export * from './route.js';
export * from './router.js';
export * from './routes.js';
export * from './routes-consoles.js';
export * from './routes-events.js';
export * from './routes-metrics.js';
export * from './schemas.js';
export * from './serve.js';
export * from './server.js';
export * from './sessions.js';
export * from './sse.js';
export * from './static.js';
export * from './test-host.js';
