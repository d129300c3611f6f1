import type { SignerInfo } from './certificate.js';
import type { OvaErrorCode } from './errors.js';
import type { DigestAlgorithm } from './manifest.js';

/** What a member of an OVA is for. */
export type OvaMemberRole = 'descriptor' | 'manifest' | 'certificate' | 'file';

/** One thing wrong with a package, found while reading it. */
export interface OvaProblem {
  code: OvaErrorCode;
  message: string;
  /** The member (or package file) concerned. */
  member?: string | undefined;
}

/** One member as the report lists it. */
export interface OvaMemberReport {
  name: string;
  size: number;
  role: OvaMemberRole;
  /** The `ovf:id` of the References/File it belongs to. */
  fileId?: string | undefined;
  chunk?: number | undefined;
  /** Digests checked against the manifest, lower-case hex. */
  digests: Partial<Record<DigestAlgorithm, string>>;
  /** True when every manifest digest of this member matched. */
  verified: boolean;
}

/** Who signed the package and what was checked. */
export interface OvaSignatureReport {
  /** The certificate member's name. */
  name: string;
  algorithm: DigestAlgorithm;
  /** True when the signature over the manifest matched the signer's key. */
  valid: boolean;
  signer?: SignerInfo | undefined;
  /** The chain up to the CA, when a bundle was given. */
  chain: SignerInfo[];
  /** True: chains to the CA bundle; undefined: no bundle was given. */
  trusted?: boolean | undefined;
}

/**
 * The outcome of reading a package: `intact` when there is no problem. Warnings (no manifest, members out of
 * References order, pax headers, an unverified signer) do not make a package broken.
 */
export interface OvaReport {
  /** The archive read. */
  file: string;
  intact: boolean;
  descriptor?: { name: string; size: number; ovfVersion?: string | undefined } | undefined;
  manifest?: { name: string; algorithms: DigestAlgorithm[]; entries: number } | undefined;
  signature?: OvaSignatureReport | undefined;
  members: OvaMemberReport[];
  problems: OvaProblem[];
  warnings: string[];
}
