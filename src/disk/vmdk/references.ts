/**
 * External references of VMDK files, found the way QEMU's block/vmdk.c finds what it opens, and more:
 * - a text descriptor: every extent line of the first 1 MiB (what `vmdk_read_desc` reads), whatever its
 *   access, type or the createType; `parentFileNameHint`; a `parentCID` other than ffffffff;
 * - a hosted sparse extent ("KDMV"): the 20 sectors at offset 512, where QEMU looks for `parentFileNameHint`
 *   and the CIDs whatever the header says, and the embedded descriptor at `descriptorOffset` (read like QEMU,
 *   up to 1 MiB from the offset shifted in 64 bits, whatever the version, flags, size or capacity: with a
 *   capacity of 0 QEMU opens it as a descriptor file). Only a createType of monolithicSparse or
 *   streamOptimized and a single SPARSE extent naming a plain file (the extent itself) are self-contained;
 * - an ESX sparse extent ("COWD", VMDK3): the parent file name of its header, and the same 20 sectors.
 */
import { type ByteSource, clip, cString, type ImageReference } from '../reference-kinds.js';

/** QEMU reads at most 1 MiB - 1 bytes of a descriptor (`vmdk_read_desc`). */
const DESCRIPTOR_MAX = (1 << 20) - 1;
/** QEMU reads `parentFileNameHint` and the CIDs from 20 sectors (`DESC_SIZE`) at 512 in a sparse file. */
const DESC_SIZE = 20 * 512;
const MASK64 = (1n << 64n) - 1n;
/** A scan stops after this many references: one is enough to refuse the image. */
const MAX_REFS = 64;
/** A scan looks at no more than this many occurrences of a key. */
const MAX_SCANNED = 4096;
/** The createTypes of a single sparse extent, which name no other file. */
const SELF_CONTAINED_TYPES = new Set(['monolithicSparse', 'streamOptimized']);

/** One extent line: `RW 8 FLAT "name" 0`, or an access keyword starting a line it could not parse. */
interface ExtentLine {
  type: string;
  name: string;
  offset: number;
  parsed: boolean;
}

/** Bytes read as Latin-1 (one character per byte) shown as UTF-8, which is how descriptors spell names. */
const show = (s: string) => clip(Buffer.from(s, 'latin1').toString('utf8'));

/**
 * The extent lines of descriptor text (`base` is its offset in the file). A superset of QEMU's `sscanf`
 * (`%10s %d %10s "%511[^\n\r"]" %d`): any access keyword, case, type or spacing, tokens that run across line
 * breaks; a line that starts with an access keyword but does not parse is still an extent. ZERO extents name
 * no file and are left out.
 */
export function extentLines(text: string, base: number): ExtentLine[] {
  const start = /[^\S\n]*(?:RW|RDONLY|NOACCESS)(?=\s|$)/iy;
  // (?=(x))\n makes a token atomic, so no input makes the expression backtrack more than linearly.
  const full = /[^\S\n]*(?:RW|RDONLY|NOACCESS)\s+(?=([+-]?\d+))\1\s*(?=([^\s"]*))\2\s*"([^\n\r"]*)/iy;
  const zero = /[^\S\n]*(?:RW|RDONLY|NOACCESS)\s+[+-]?\d+[^\S\n]+ZERO[^\S\n]*(?:\r?\n|$)/iy;
  const out: ExtentLine[] = [];
  for (let i = 0; i < text.length && out.length < MAX_REFS; ) {
    const nl = text.indexOf('\n', i);
    start.lastIndex = i;
    if (start.test(text)) {
      full.lastIndex = i;
      zero.lastIndex = i;
      const m = full.exec(text);
      if (m) out.push({ type: m[2]!.toUpperCase(), name: show(m[3]!), offset: base + i, parsed: true });
      else if (!zero.test(text))
        out.push({
          type: '',
          name: show(text.slice(i, nl < 0 ? i + 200 : Math.min(nl, i + 200)).trim()),
          offset: base + i,
          parsed: false,
        });
    }
    if (nl < 0) break;
    i = nl + 1;
  }
  return out;
}

/**
 * `parentFileNameHint` and `parentCID` in descriptor text. QEMU takes the first `parentFileNameHint` anywhere
 * (`strstr`, even in a comment), skips `="` and reads to the next quote; every occurrence counts here.
 */
export function parentReferences(text: string, base: number): ImageReference[] {
  const out: ImageReference[] = [];
  for (const m of text.matchAll(/parentFileNameHint/gi)) {
    if (out.length >= MAX_REFS) break;
    const at = m.index;
    const near = text.slice(at + 18, at + 18 + 4096);
    const quoted = /^\s*=\s*"([^"]*)"/.exec(near);
    const rest = near.slice(2);
    const end = rest.indexOf('"');
    const name = quoted ? quoted[1]! : end < 0 ? rest : rest.slice(0, end);
    out.push({ kind: 'vmdk-parent', name: show(name), offset: base + at });
  }
  let seen = 0;
  for (const m of text.matchAll(/parentCID\s*=\s*"?\s*([0-9a-f]+)/gi)) {
    if (out.length >= MAX_REFS || ++seen > MAX_SCANNED) break;
    if (Number.parseInt(m[1]!, 16) !== 0xffffffff)
      out.push({ kind: 'vmdk-parent-cid', name: m[1]!.slice(0, 32), offset: base + m.index });
  }
  return out;
}

/** The createTypes QEMU opens as descriptor files, whose extents it then opens (`vmdk_open_desc_file`). */
const QEMU_DESCRIPTOR_TYPES = new Set([
  'monolithicFlat',
  'vmfs',
  'vmfsSparse',
  'seSparse',
  'twoGbMaxExtentSparse',
  'twoGbMaxExtentFlat',
]);

/**
 * The createTypes of descriptor text that name other files: any `createType = "x"` line whose value is not a
 * single sparse extent's, and any value QEMU reads (`strstr`, skip `="`, read to the quote) that it would
 * open as a descriptor file.
 */
function foreignCreateTypes(text: string): string[] {
  const out: string[] = [];
  let seen = 0;
  for (const m of text.matchAll(/createType/gi)) {
    if (out.length >= MAX_REFS || ++seen > MAX_SCANNED) break;
    const near = text.slice(m.index + 10, m.index + 10 + 256);
    const lenient = lenientValue(near);
    if (lenient !== undefined && !SELF_CONTAINED_TYPES.has(lenient)) out.push(lenient);
    const end = near.indexOf('"', 2);
    const qemu = end >= 2 ? near.slice(2, end) : undefined;
    if (qemu !== undefined && QEMU_DESCRIPTOR_TYPES.has(qemu) && qemu !== lenient) out.push(qemu);
  }
  return out;
}

/** The value of `= "value"` (or `= value`) at the start of `s`, to the closing quote or the end of the line. */
function lenientValue(s: string): string | undefined {
  const line = s.split(/\r?\n/, 1)[0]!.trimStart();
  if (!line.startsWith('=')) return undefined;
  const rest = line.slice(1).trim();
  if (!rest.startsWith('"')) return rest;
  const end = rest.indexOf('"', 1);
  return end < 0 ? rest.slice(1) : rest.slice(1, end);
}

/** A file name with no directory, drive or protocol part: what a sparse extent's own extent line holds. */
function plainName(name: string): boolean {
  return /^[^/\\:\0]+$/.test(name) && name !== '.' && name !== '..';
}

/** References of a hosted sparse extent ("KDMV"), whatever its header says. */
export async function sparseVmdkReferences(src: ByteSource, head: Buffer): Promise<ImageReference[]> {
  const h = head.length >= 512 ? head : Buffer.concat([head, Buffer.alloc(512 - head.length)]);
  const capacity = h.readBigUInt64LE(12);
  const descOffset = h.readBigUInt64LE(28);
  const refs = parentReferences(cString(await src.read(512, DESC_SIZE)), 512);
  if (descOffset === 0n) return refs;
  // QEMU computes `desc_offset << 9` in 64 bits: a huge offset wraps around into the file.
  const off = (descOffset << 9n) & MASK64;
  const start = off < BigInt(src.size) ? Number(off) : src.size;
  const text = cString(await src.read(start, DESCRIPTOR_MAX));
  refs.push(...parentReferences(text, start));
  const extents = extentLines(text, start);
  const own = extents.length === 1 && extents[0]!.type === 'SPARSE' && plainName(extents[0]!.name);
  if (!own) for (const e of extents) refs.push({ kind: 'vmdk-extent', name: e.name, offset: e.offset });
  const odd = foreignCreateTypes(text);
  for (const t of odd)
    refs.push({
      kind: 'vmdk-descriptor',
      name: `createType ${JSON.stringify(show(t).slice(0, 64))}${capacity === 0n ? ', capacity 0' : ''}`,
      offset: start,
    });
  // With a capacity of 0 QEMU reads the descriptor as a descriptor file; only a sparse createType (which it
  // then refuses to open) and the extent's own line make that harmless.
  const sparseType = /createType\s*=\s*"?(?:monolithicSparse|streamOptimized)"?/i.test(text);
  if (capacity === 0n && odd.length === 0 && !(own && sparseType))
    refs.push({ kind: 'vmdk-descriptor', name: 'capacity 0', offset: 12 });
  return refs;
}

/** References of an ESX sparse extent ("COWD"): the parent file name at 32 (1024 bytes) and the 20 sectors at 512. */
export async function cowdReferences(src: ByteSource, head: Buffer): Promise<ImageReference[]> {
  const refs = parentReferences(cString(await src.read(512, DESC_SIZE)), 512);
  const header = head.length >= 1056 ? head : await src.read(0, 1056);
  const parent = cString(header.subarray(32, 1056));
  if (parent !== '' && /^[\x20-\x7e\x80-\xff]+$/.test(parent))
    refs.push({ kind: 'cowd-parent', name: show(parent), offset: 32 });
  return refs;
}

/** References of a text descriptor: every extent (the first 1 MiB, as QEMU reads it) and any parent. */
export async function textVmdkReferences(src: ByteSource): Promise<ImageReference[]> {
  const text = cString(await src.read(0, DESCRIPTOR_MAX));
  const refs = parentReferences(text, 0);
  for (const e of extentLines(text, 0)) refs.push({ kind: 'vmdk-extent', name: e.name, offset: e.offset });
  return refs;
}
