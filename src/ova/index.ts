/**
 * OVA archives and package integrity (DSP0243 §5): streaming ustar read and write (never pax; GNU base-256 sizes
 * for members of 8 GiB and more), the manifest (`.mf`: SHA-1/SHA-256/SHA-512), the certificate (`.cert`: RSA
 * signature of the manifest plus the signer's X.509 certificate), chunked (`ovf:chunkSize`) and gzip-compressed
 * (`ovf:compression`) files, and the four operations built on them: pack, unpack, verify and sign. Disks are never
 * held in memory; per-file transforms (such as conversion to streamOptimized VMDK) plug into the packer.
 */
export * from './certificate.js';
export * from './descriptor.js';
export * from './errors.js';
export * from './extract.js';
export * from './files.js';
export * from './manifest.js';
export { checkUstarName, chunkName, safeMemberName } from './names.js';
export * from './pack.js';
export type { OvaMember, ReadOvaOptions, ReadProgress } from './reader.js';
export { OvaReader } from './reader.js';
export type * from './report.js';
export type { RewriteOvaOptions, RewriteOvaResult } from './rewrite.js';
export { rewriteOva } from './rewrite.js';
export * from './sign.js';
export * from './sniff.js';
export * from './stream-disk.js';
export type { TarSource } from './tar-read.js';
export * from './transform.js';
export * from './unpack.js';
export * from './verify.js';
