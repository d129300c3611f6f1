/**
 * The host's metrics: a sampler that reads the host and its systems on an interval into a ring buffer per system,
 * which every metrics reader (the Api's `metrics`, hence /metrics, REST series, the CLI, CIM) reads.
 */

export * from './proc.js';
export * from './ring.js';
export * from './sampler.js';
export * from './source.js';
