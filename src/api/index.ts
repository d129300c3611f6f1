/**
 * The host's contract: one async Api in namespaces (host, systems, jobs, events, packages, artifacts, consoles,
 * pools, users, networks), one state vocabulary, one operation vocabulary, one error registry with its per-edge
 * tables, the method table every encoding is generated from, and `--connect` URI parsing. It imports only
 * src/model (and TypeBox for the schemas); the host implements it, the CIM providers and the edges consume it.
 */

export * from './api.js';
export * from './artifacts.js';
export * from './capabilities.js';
export * from './cim-values.js';
export * from './common.js';
export * from './consoles.js';
export * from './errors.js';
export * from './errors-cim.js';
export * from './errors-cli.js';
export * from './errors-rest.js';
export * from './events.js';
export * from './host.js';
export * from './jobs.js';
export * from './libvirt-values.js';
export * from './methods.js';
export * from './metrics.js';
export * from './model-schemas.js';
export * from './networks.js';
export * from './operations.js';
export * from './packages.js';
export * from './pools.js';
export * from './principal.js';
export {
  Base64Bytes,
  MAX_BASE64_BYTES,
  MAX_WAIT_MS,
  oneOf,
  Strict,
  Timestamp,
  UINT64_MAX,
  Uint64,
  WaitMs,
} from './schema.js';
export * from './state.js';
export * from './surface.js';
export * from './systems.js';
export * from './systems-data.js';
export * from './transport/index.js';
export * from './uri.js';
export * from './users.js';
export * from './wire.js';
