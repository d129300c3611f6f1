/**
 * Hardened, namespace-aware XML for every encoding Vessel reads and writes (OVF, CIM-XML, WS-Man): a tree that
 * keeps what a round trip needs, a reader that refuses DTDs, entities and oversized input, and a writer.
 */
export * from './errors.js';
export * from './parse.js';
export * from './serialize.js';
export * from './tree.js';
