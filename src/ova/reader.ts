import type { X509Certificate } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { VesselError } from '../model/index.js';
import { type OvfEnvelope, type OvfFile, parseOvf } from '../ovf/index.js';
import { type Digests, digestBuffer, digestFileRange, MultiHash } from './digest.js';
import { OvaError } from './errors.js';
import { PackageFiles } from './expect.js';
import { DIGEST_ALGORITHMS, type DigestAlgorithm, MANIFEST_TOKEN, parseManifest } from './manifest.js';
import { MemberBody, readAll } from './member-body.js';
import { checkSignature } from './reader-signature.js';
import type { OvaMemberReport, OvaMemberRole, OvaProblem, OvaReport } from './report.js';
import { readTarEntries, type TarEntry, type TarSource } from './tar-read.js';

/** Options of {@link OvaReader}. */
export interface ReadOvaOptions {
  /** CA certificates the signer must chain to (see `readPemCertificates`). */
  ca?: X509Certificate[] | undefined;
  /** A package without a valid signature is a problem. */
  requireSignature?: boolean | undefined;
  /** Collect problems and read on (verify); by default the first problem is thrown as an {@link OvaError}. */
  collect?: boolean | undefined;
  /** Name of the archive in messages (default: the path). */
  label?: string | undefined;
  /** The time certificates are checked at (default: now). */
  now?: Date | undefined;
  /** Called as the archive is read: bytes read so far, of the file's size when the source is a path. */
  onProgress?: ((e: ReadProgress) => void) | undefined;
}

/** Progress of reading an OVA, in bytes of the archive. */
export interface ReadProgress {
  phase: 'read';
  done: number;
  total: number | undefined;
}

/** One member of the package as the reader hands it out, with what it is for. */
export interface OvaMember {
  name: string;
  size: number;
  role: OvaMemberRole;
  /** The References/File this member stores (absent for the descriptor, manifest, certificate). */
  file?: OvfFile | undefined;
  /** The chunk index, when the File is chunked. */
  chunk?: number | undefined;
  /** The member's bytes as stored (compressed if the File is). Hashed as it is read; read it or leave it. */
  body: AsyncIterable<Buffer>;
}

/** Caps for the members Vessel reads whole. */
export const MAX_DESCRIPTOR_BYTES = 32 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
const MAX_CERT_BYTES = 1024 * 1024;
/** Problems collected before a verification gives up (a hostile archive of millions of bad members). */
const MAX_PROBLEMS = 1000;

interface DataRecord {
  report: OvaMemberReport;
  /** Offset of the member's data in the archive, to re-read it when the manifest comes last. */
  dataOffset: number;
  /** True once compared with the manifest. */
  checked: boolean;
}

/**
 * Reads an OVA as a stream, one pass: the descriptor must be the first member; the manifest and certificate
 * may follow it or come last; every other member must be a file the descriptor references (or the manifest
 * lists). Each member's digests are computed as its bytes go by and checked against the manifest at its end, so a
 * consumer that pipes a disk member somewhere (deploy, unpack) gets the error from that same stream. When the
 * manifest comes after the files (VirtualBox writes it last) and the source is a file, the members are re-read
 * at the end to hash them; from a stream, all three algorithms are computed until the manifest is known.
 *
 * @example
 * const reader = new OvaReader('appliance.ova');
 * for await (const m of reader) if (m.role === 'file') await pipeline(m.body, createWriteStream(m.name));
 * reader.report().intact; // true
 */
export class OvaReader implements AsyncIterable<OvaMember> {
  /** The parsed descriptor, once the first member has been read. */
  envelope: OvfEnvelope | undefined;
  /** The descriptor's bytes as stored. */
  descriptorBytes: Buffer | undefined;
  private readonly label: string;
  private readonly problems: OvaProblem[] = [];
  private readonly warnings: string[] = [];
  private readonly records: OvaMemberReport[] = [];
  private readonly data = new Map<string, DataRecord>();
  private files: PackageFiles | undefined;
  private descriptorName = '';
  private manifest:
    | { name: string; bytes: Buffer; digests: Map<string, Map<DigestAlgorithm, string>> }
    | undefined;
  private manifestCount = 0;
  private cert: { name: string; bytes: Buffer } | undefined;
  private pax: string[] = [];
  private started = false;
  private finished = false;

  constructor(
    private readonly source: TarSource,
    private readonly options: ReadOvaOptions = {},
  ) {
    this.label = options.label ?? (typeof source === 'string' ? source : 'package');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<OvaMember> {
    if (this.started) throw new Error('An OvaReader reads its archive once');
    this.started = true;
    let first = true;
    const report = this.options.onProgress;
    let onRead: ((n: number) => void) | undefined;
    if (report !== undefined) {
      const total =
        typeof this.source === 'string'
          ? await stat(this.source).then(
              (s) => s.size,
              () => undefined,
            )
          : undefined;
      let done = 0;
      onRead = (n) => {
        done += n;
        report({ phase: 'read', done, total });
      };
    }
    for await (const entry of readTarEntries(this.source, this.label, onRead)) {
      if (entry.pax) this.pax.push(entry.name);
      if (first) {
        first = false;
        yield await this.readDescriptor(entry);
        continue;
      }
      const member = await this.classify(entry);
      if (member === undefined) continue;
      yield member;
      if (member.body instanceof MemberBody) await member.body.drain();
    }
    await this.finish();
  }

  /** The files the manifest lists and its algorithms, once the manifest has been read. */
  get manifestListing(): { files: string[]; algorithms: DigestAlgorithm[] } | undefined {
    const m = this.manifest;
    if (!m) return undefined;
    const algorithms = new Set<DigestAlgorithm>();
    for (const map of m.digests.values()) for (const a of map.keys()) algorithms.add(a);
    return { files: [...m.digests.keys()], algorithms: [...algorithms] };
  }

  /** The References/File entries stored in the package, once the descriptor has been read. */
  get packageFiles(): OvfFile[] {
    return this.files?.files ?? [];
  }

  /** The outcome so far; complete once iteration has ended. */
  report(): OvaReport {
    const m = this.manifest;
    const algorithms = this.manifestListing?.algorithms ?? [];
    return {
      file: this.label,
      intact: this.finished && this.problems.length === 0,
      descriptor: this.descriptorBytes
        ? { name: this.descriptorName, size: this.descriptorBytes.length, ovfVersion: this.envelope?.version }
        : undefined,
      manifest: m ? { name: m.name, algorithms, entries: this.manifestCount } : undefined,
      signature: this.signature,
      members: this.records,
      problems: this.problems,
      warnings: this.warnings,
    };
  }

  /** Records a problem; throws it unless problems are being collected (and then stops after too many). */
  problem(p: OvaProblem): void {
    this.problems.push(p);
    if (!this.options.collect) throw new OvaError(p.code, p.message, { member: p.member });
    if (this.problems.length >= MAX_PROBLEMS) {
      throw new OvaError(
        'OVA_CORRUPT',
        `${this.label} has over ${MAX_PROBLEMS} problems; stopped reading it`,
      );
    }
  }

  /** Records an error that stopped the reading (used by verify, which reports rather than throws). */
  fail(err: unknown): void {
    if (err instanceof VesselError) {
      this.problems.push({
        code: err.code as OvaProblem['code'],
        message: err.message,
        member: (err as OvaError).member,
      });
    } else throw err;
  }

  private signature: OvaReport['signature'];

  private async readDescriptor(entry: TarEntry): Promise<OvaMember> {
    const name = entry.name;
    if (!/\.ovf$/i.test(name)) {
      throw new OvaError(
        'OVA_NO_DESCRIPTOR',
        `The first member of ${this.label} is "${name}", not an OVF descriptor (.ovf): an OVA must start with its descriptor`,
        { member: name },
      );
    }
    const bytes = await readAll(entry.body, MAX_DESCRIPTOR_BYTES, () => tooLarge(name, MAX_DESCRIPTOR_BYTES));
    try {
      this.envelope = parseOvf(bytes, { file: `${this.label}!${name}` });
    } catch (e) {
      const why = e instanceof VesselError ? e.describe() : String(e);
      throw new OvaError('OVA_DESCRIPTOR_INVALID', `The descriptor "${name}" cannot be read: ${why}`, {
        member: name,
        cause: e,
      });
    }
    this.descriptorBytes = bytes;
    this.descriptorName = name;
    this.files = new PackageFiles(this.envelope);
    this.records.push({ name, size: bytes.length, role: 'descriptor', digests: {}, verified: false });
    return { name, size: bytes.length, role: 'descriptor', body: MemberBody.of(bytes) };
  }

  private get manifestName(): string {
    return this.descriptorName.replace(/\.ovf$/i, '.mf');
  }

  private get certName(): string {
    return this.descriptorName.replace(/\.ovf$/i, '.cert');
  }

  private async classify(entry: TarEntry): Promise<OvaMember | undefined> {
    const { name, size } = entry;
    if (name === this.manifestName) {
      const bytes = await readAll(entry.body, MAX_MANIFEST_BYTES, () => tooLarge(name, MAX_MANIFEST_BYTES));
      this.records.push({ name, size, role: 'manifest', digests: {}, verified: false });
      this.applyManifest(name, bytes);
      return { name, size, role: 'manifest', body: MemberBody.of(bytes) };
    }
    if (name === this.certName) {
      const bytes = await readAll(entry.body, MAX_CERT_BYTES, () => tooLarge(name, MAX_CERT_BYTES));
      this.cert = { name, bytes };
      this.records.push({ name, size, role: 'certificate', digests: {}, verified: false });
      return { name, size, role: 'certificate', body: MemberBody.of(bytes) };
    }
    const match = this.files!.match(name, size);
    if (match === undefined && !this.manifest?.digests.has(name)) {
      this.problem({
        code: 'OVA_UNEXPECTED_MEMBER',
        member: name,
        message: `"${name}" in ${this.label} is neither referenced by the descriptor nor listed in the manifest`,
      });
      return undefined;
    }
    if (match?.problem) this.problem(match.problem);
    const report: OvaMemberReport = {
      name,
      size,
      role: 'file',
      fileId: match?.file.id,
      chunk: match?.chunk,
      digests: {},
      verified: false,
    };
    this.records.push(report);
    const record: DataRecord = { report, dataOffset: entry.offset + 512, checked: false };
    this.data.set(name, record);
    const hash = new MultiHash(this.algorithmsFor(name));
    const body = new MemberBody(
      entry.body,
      (c) => hash.update(c),
      () => {
        Object.assign(report.digests, hash.digests());
        if (this.manifest) this.checkDigests(record);
      },
    );
    return { name, size, role: 'file', file: match?.file, chunk: match?.chunk, body };
  }

  private algorithmsFor(name: string): DigestAlgorithm[] {
    if (this.manifest) return [...(this.manifest.digests.get(name)?.keys() ?? [])];
    // The manifest may still come: a file can be re-read at the end, a stream cannot.
    return typeof this.source === 'string' ? [] : [...DIGEST_ALGORITHMS];
  }

  private applyManifest(name: string, bytes: Buffer): void {
    let entries: ReturnType<typeof parseManifest>;
    try {
      entries = parseManifest(bytes, name);
    } catch (e) {
      if (!(e instanceof OvaError)) throw e;
      this.problem({ code: e.code, message: e.message, member: name });
      return;
    }
    const digests = new Map<string, Map<DigestAlgorithm, string>>();
    for (const e of entries) {
      const map = digests.get(e.file) ?? new Map<DigestAlgorithm, string>();
      map.set(e.algorithm, e.digest);
      digests.set(e.file, map);
    }
    this.manifest = { name, bytes, digests };
    this.manifestCount = entries.length;
    const d = this.records[0]!;
    const expected = digests.get(this.descriptorName);
    if (expected) {
      Object.assign(d.digests, digestBuffer(this.descriptorBytes!, expected.keys()));
      this.compare(d, expected);
    }
  }

  private checkDigests(record: DataRecord): void {
    record.checked = true;
    const expected = this.manifest!.digests.get(record.report.name);
    if (!expected) {
      this.problem({
        code: 'OVA_MANIFEST_INCOMPLETE',
        member: record.report.name,
        message: `"${record.report.name}" is not covered by the manifest ${this.manifest!.name}`,
      });
      return;
    }
    this.compare(record.report, expected);
  }

  private compare(report: OvaMemberReport, expected: Map<DigestAlgorithm, string>): void {
    let ok = true;
    for (const [alg, want] of expected) {
      const got = report.digests[alg];
      if (got === want) continue;
      ok = false;
      this.problem({
        code: 'OVA_DIGEST_MISMATCH',
        member: report.name,
        message: `"${report.name}" does not match the manifest: its ${MANIFEST_TOKEN[alg]} is ${got}, the manifest says ${want}`,
      });
    }
    report.verified = ok;
  }

  private async finish(): Promise<void> {
    if (this.manifest) await this.lateDigests();
    for (const p of this.files?.finish() ?? []) this.problem(p);
    if (this.files?.outOfOrder.length) {
      this.warnings.push(`Files out of References order: ${this.files.outOfOrder.join(', ')}`);
    }
    if (this.pax.length) {
      this.warnings.push(`Members with pax headers (ovftool rejects these): ${this.pax.join(', ')}`);
    }
    this.checkManifestCoverage();
    this.signature = checkSignature(
      this.cert,
      this.manifest,
      this.manifestName,
      this.options,
      this.warnings,
      (p) => this.problem(p),
    );
    this.finished = true;
  }

  /** Members that went by before the manifest: hash them now (re-reading the file) and compare. */
  private async lateDigests(): Promise<void> {
    for (const record of this.data.values()) {
      if (record.checked) continue;
      const expected = this.manifest!.digests.get(record.report.name);
      const missing = [...(expected?.keys() ?? [])].filter((a) => record.report.digests[a] === undefined);
      if (missing.length > 0 && typeof this.source === 'string') {
        const d: Digests = await digestFileRange(this.source, record.dataOffset, record.report.size, missing);
        Object.assign(record.report.digests, d);
      }
      this.checkDigests(record);
    }
  }

  private checkManifestCoverage(): void {
    const m = this.manifest;
    if (!m) {
      this.warnings.push('The package has no manifest: the contents of its files are not verified');
      if (this.options.requireSignature) {
        this.problem({
          code: 'OVA_SIGNATURE_REQUIRED',
          message: `${this.label} has no manifest, so it cannot be signed`,
        });
      }
      return;
    }
    for (const file of m.digests.keys()) {
      if (file === this.descriptorName || this.data.has(file)) continue;
      this.problem({
        code: 'OVA_MANIFEST_EXTRA',
        member: file,
        message: `The manifest lists "${file}", which the package does not contain`,
      });
    }
    if (!m.digests.has(this.descriptorName)) {
      const message = `The manifest does not cover the descriptor "${this.descriptorName}", so neither it nor a signature protects the descriptor`;
      if (this.options.requireSignature)
        this.problem({ code: 'OVA_MANIFEST_INCOMPLETE', member: this.descriptorName, message });
      else this.warnings.push(message);
    }
  }
}

function tooLarge(name: string, max: number): OvaError {
  return new OvaError('OVA_TOO_LARGE', `"${name}" is over ${max} bytes; Vessel refuses to read it whole`, {
    member: name,
  });
}

export type { OvaMemberRole };
