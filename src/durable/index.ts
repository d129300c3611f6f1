/**
 * Durable files: writes that survive a power cut whole or not at all. A state file (users, tokens, the HTTPS key
 * and certificate, networks) is written to a temporary file, synced, renamed over its name and its folder synced,
 * because ext4's delayed allocation otherwise commits a new name before its data: after a hard power-off within
 * the writeback delay (30 s) the file is there with 0 bytes.
 */

export * from './version.js';
export * from './write.js';
