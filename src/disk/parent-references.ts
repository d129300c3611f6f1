/**
 * Parent images of the Microsoft and VirtualBox formats. QEMU opens none of them (its vpc, vhdx and vdi drivers
 * refuse differencing images), but Hyper-V, VirtualBox and other tools follow them, so an image that has one
 * is not self-contained:
 * - VHD: disk type 4 (differencing) in a footer; the parent's name (UTF-16 BE) and eight parent locator
 *   entries (a platform code, then a path at an offset) in the dynamic disk header (VHD specification §2.2);
 * - VHDX: the HasParent flag of the file parameters and the parent locator item, whose key/value pairs
 *   (`relative_path`, `absolute_win32_path`, `volume_path`, `parent_linkage`) are UTF-16 LE ([MS-VHDX] §2.6.2.6);
 * - VDI: image type 3 (undo) or 4 (differencing), or a parent UUID (`uuidLinkage` at 0x1A8).
 */
import { isZero } from './file-io.js';
import { type ByteSource, clip, cString, type ImageReference } from './reference-kinds.js';
import { FILE_PARAMETERS, METADATA_REGION, readGuid, vhdxItems, vhdxRegions } from './vhdx.js';

/** VHD footer disk type of a differencing disk. */
const VHD_DIFFERENCING = 4;
/** The VHDX parent locator metadata item. */
const PARENT_LOCATOR = 'a8d35f2d-b30b-454d-abf7-d3d84834ab0c';

/** UTF-16 LE text up to its first NUL character. */
const utf16le = (b: Buffer) =>
  b
    .subarray(0, b.length & ~1)
    .toString('utf16le')
    .replace(/\0[\s\S]*$/, '');
/** UTF-16 BE text (the VHD parent name) up to its first NUL character. */
const utf16be = (b: Buffer) => utf16le(Buffer.from(b.subarray(0, b.length & ~1)).swap16());

/** A VHD parent locator's data as text: UTF-16 LE for Windows codes, UTF-8 for `MacX`, else Latin-1. */
function locatorText(code: string, data: Buffer): string {
  if (code === 'W2ru' || code === 'W2ku') return utf16le(data);
  return cString(data, code === 'MacX' ? 'utf8' : 'latin1');
}

/** References of a VHD: differencing type, parent name and parent locators. */
export async function vhdReferences(
  src: ByteSource,
  head: Buffer,
  tail: Buffer | undefined,
): Promise<ImageReference[]> {
  const footers = [head, tail].filter((f): f is Buffer => f !== undefined && f.length >= 512);
  const vhd = footers.filter((f) => f.toString('latin1', 0, 8) === 'conectix');
  const refs: ImageReference[] = [];
  const differencing = vhd.some((f) => f.readUInt32BE(60) === VHD_DIFFERENCING);
  let parent = '';
  let uuid = '';
  for (const f of vhd) {
    const at = f.readBigUInt64BE(16);
    if (at >= BigInt(src.size)) continue;
    const dh = await src.read(Number(at), 1024);
    if (dh.length < 1024 || dh.toString('latin1', 0, 8) !== 'cxsparse') continue;
    parent ||= utf16be(dh.subarray(64, 576));
    if (!isZero(dh.subarray(40, 56))) uuid = readGuid(dh, 40);
    for (let i = 0; i < 8; i++) {
      const e = dh.subarray(576 + i * 24, 600 + i * 24);
      const code = e.toString('latin1', 0, 4);
      if (e.readUInt32BE(0) === 0) continue;
      const off = e.readBigUInt64BE(16);
      const data =
        off < BigInt(src.size)
          ? await src.read(Number(off), Math.min(e.readUInt32BE(8), 4096))
          : Buffer.alloc(0);
      refs.push({
        kind: 'vhd-parent-locator',
        name: clip(`${code.trim()} ${locatorText(code, data)}`),
        offset: Number(at) + 576 + i * 24,
      });
    }
    break;
  }
  if (differencing || parent !== '')
    refs.unshift({
      kind: 'vhd-parent',
      name: clip(parent || `(a differencing disk, parent ${uuid || 'unnamed'})`),
      offset: 60,
    });
  return refs;
}

/** References of a VHDX: the HasParent flag and the parent locator's entries. */
export async function vhdxReferences(src: ByteSource): Promise<ImageReference[]> {
  const meta = (await vhdxRegions(src))?.get(METADATA_REGION);
  if (!meta) return [];
  const items = vhdxItems(await src.read(meta.offset, Math.min(meta.length, 1 << 20)));
  if (!items) return [];
  const refs: ImageReference[] = [];
  const params = items.get(FILE_PARAMETERS);
  if (params && params.length >= 8 && params.readUInt32LE(4) & 2)
    refs.push({ kind: 'vhdx-parent', name: 'its file parameters say it has a parent' });
  const loc = items.get(PARENT_LOCATOR);
  if (loc && loc.length >= 20) {
    for (let i = 0; i < Math.min(loc.readUInt16LE(18), 256) && 20 + i * 12 + 12 <= loc.length; i++) {
      const e = 20 + i * 12;
      const key = utf16le(loc.subarray(loc.readUInt32LE(e), loc.readUInt32LE(e) + loc.readUInt16LE(e + 8)));
      const value = utf16le(
        loc.subarray(loc.readUInt32LE(e + 4), loc.readUInt32LE(e + 4) + loc.readUInt16LE(e + 10)),
      );
      refs.push({ kind: 'vhdx-parent-locator', name: clip(`${key}=${value}`) });
    }
    if (!refs.some((r) => r.kind === 'vhdx-parent-locator'))
      refs.push({ kind: 'vhdx-parent-locator', name: '(an empty parent locator)' });
  }
  return refs;
}

/** References of a VDI: an undo or differencing image type, or a parent UUID. */
export function vdiReferences(head: Buffer): ImageReference[] {
  if (head.length < 0x1b8) return [];
  const type = head.readUInt32LE(0x4c);
  const link = head.subarray(0x1a8, 0x1b8);
  if (type !== 3 && type !== 4 && isZero(link)) return [];
  const kind = type === 4 ? 'differencing' : type === 3 ? 'undo' : `type ${type}`;
  return [{ kind: 'vdi-parent', name: `{${readGuid(head, 0x1a8)}} (${kind} image)`, offset: 0x1a8 }];
}
