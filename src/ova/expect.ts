import type { OvfEnvelope, OvfFile } from '../ovf/index.js';
import { OvaError } from './errors.js';
import { chunkName, isExternalHref, safeMemberName } from './names.js';
import type { OvaProblem } from './report.js';

/** A References/File entry that lives in the package, with what has been seen of it. */
interface FileState {
  file: OvfFile;
  href: string;
  /** ovf:size, when given. */
  size: number | undefined;
  /** ovf:chunkSize, when the file is chunked. */
  chunkSize: number | undefined;
  /** Sizes of the members seen (one, or one per chunk in order). */
  parts: number[];
  /** Where it came in the References order. */
  index: number;
}

const CHUNK_SUFFIX = /^(.*)\.(\d{9})$/;

/**
 * What the descriptor's References say the package holds: which member names belong to which File (chunks
 * named `href.000000000`, ...), and, once every member is read, what is missing or of the wrong size.
 */
export class PackageFiles {
  private readonly byHref = new Map<string, FileState>();
  private lastIndex = -1;
  /** Files coming out of References order, for a warning. */
  outOfOrder: string[] = [];

  constructor(env: OvfEnvelope) {
    env.references.forEach((file, index) => {
      if (isExternalHref(file.href)) return;
      const href = safeMemberName(file.href);
      if (this.byHref.has(href)) {
        throw new OvaError('OVA_DUPLICATE', `Two References/File entries name "${href}"`, { member: href });
      }
      const chunkSize = parseCount(file.chunkSize, `ovf:chunkSize of "${href}"`);
      if (chunkSize === 0)
        throw new OvaError('OVA_CHUNK', `ovf:chunkSize of "${href}" is 0`, { member: href });
      const size = parseCount(file.size, `ovf:size of "${href}"`);
      this.byHref.set(href, { file, href, size, chunkSize, parts: [], index });
    });
  }

  /** The References/File entries that live in the package, in References order. */
  get files(): OvfFile[] {
    return [...this.byHref.values()].map((s) => s.file);
  }

  /**
   * Matches a member name to its File (and chunk index). Returns undefined for a name the descriptor does not
   * reference; a problem when the member is a chunk out of order or the wrong kind of member for its File.
   */
  match(name: string, size: number): { file: OvfFile; chunk?: number; problem?: OvaProblem } | undefined {
    const whole = this.byHref.get(name);
    if (whole !== undefined && whole.chunkSize === undefined) {
      this.noteOrder(whole);
      whole.parts.push(size);
      if (whole.size !== undefined && whole.size !== size) {
        const problem = {
          code: 'OVA_SIZE_MISMATCH' as const,
          member: name,
          message: `"${name}" is ${size} bytes but its <File ovf:size> says ${whole.size}`,
        };
        return { file: whole.file, problem };
      }
      return { file: whole.file };
    }
    const m = CHUNK_SUFFIX.exec(name);
    const state = m ? this.byHref.get(m[1]!) : undefined;
    if (!m || state === undefined || state.chunkSize === undefined) {
      if (whole !== undefined) {
        return {
          file: whole.file,
          problem: chunkProblem(name, `"${whole.href}" is chunked; expected ${chunkName(whole.href, 0)}`),
        };
      }
      return undefined;
    }
    const chunk = Number(m[2]);
    this.noteOrder(state);
    if (chunk !== state.parts.length) {
      const expected = chunkName(state.href, state.parts.length);
      return { file: state.file, chunk, problem: chunkProblem(name, `expected ${expected} at this point`) };
    }
    const prev = state.parts.at(-1);
    state.parts.push(size);
    if (prev !== undefined && prev !== state.chunkSize) {
      const p = chunkName(state.href, chunk - 1);
      return {
        file: state.file,
        chunk,
        problem: chunkProblem(
          p,
          `it is ${prev} bytes, but every chunk before the last must be ${state.chunkSize}`,
        ),
      };
    }
    if (size > state.chunkSize) {
      return {
        file: state.file,
        chunk,
        problem: chunkProblem(name, `it is over the chunk size ${state.chunkSize}`),
      };
    }
    return { file: state.file, chunk };
  }

  private noteOrder(state: FileState): void {
    if (state.parts.length > 0) return;
    if (state.index < this.lastIndex) this.outOfOrder.push(state.href);
    this.lastIndex = Math.max(this.lastIndex, state.index);
  }

  /** After the last member: files that are missing, incomplete, or whose chunks do not add up to ovf:size. */
  finish(): OvaProblem[] {
    const problems: OvaProblem[] = [];
    for (const s of this.byHref.values()) {
      if (s.parts.length === 0) {
        const what =
          s.chunkSize === undefined ? `"${s.href}"` : `"${s.href}" (no chunk ${chunkName(s.href, 0)})`;
        problems.push({
          code: 'OVA_MISSING_FILE',
          member: s.href,
          message: `The descriptor references ${what} (File "${s.file.id}"), but the package does not contain it`,
        });
        continue;
      }
      if (s.chunkSize === undefined) continue;
      const total = s.parts.reduce((a, b) => a + b, 0);
      if (s.size !== undefined && total !== s.size) {
        const name = chunkName(s.href, s.parts.length);
        const message =
          total < s.size
            ? `"${s.href}" has ${s.parts.length} chunks holding ${total} of its ${s.size} bytes: ${name} is missing`
            : `The chunks of "${s.href}" hold ${total} bytes but its <File ovf:size> says ${s.size}`;
        problems.push({ code: total < s.size ? 'OVA_CHUNK' : 'OVA_SIZE_MISMATCH', member: s.href, message });
      }
    }
    return problems;
  }
}

function chunkProblem(member: string, why: string): OvaProblem {
  return { code: 'OVA_CHUNK', member, message: `Chunk "${member}" is wrong: ${why}` };
}

/** Parses an ovf:size/ovf:chunkSize value (a non-negative integer of bytes); undefined when absent. */
export function parseCount(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new OvaError('OVA_DESCRIPTOR_INVALID', `${what} is "${value}", not a number of bytes`);
  }
  return Number(v);
}
