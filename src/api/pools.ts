import { type StaticDecode, Type } from '@sinclair/typebox';
import type { ByteStream } from './common.js';
import { Strict, Timestamp, Uint64 } from './schema.js';

/**
 * Storage pools (DSP1047): named host folders that images must lie in (issue 9). Admins add and remove them;
 * images are listed, uploaded, downloaded and deleted through the Api.
 */

/** A pool name: 1 to 64 letters, digits, `.`, `_`, `-`; starts with a letter or digit (safe in a CIM InstanceID). */
export const PoolName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });

/** An image's file name in a pool: no slash, no NUL, not `.` or `..`. */
export const ImageName = Type.String({ minLength: 1, maxLength: 255, pattern: '^(?!\\.\\.?$)[^/\\u0000]+$' });

/** Wire schema of {@link PoolInfo}. */
export const PoolInfoSchema = Type.Object({
  id: PoolName,
  isDefault: Type.Boolean(),
  /** False when the folder cannot be read (removed, unmounted); the sizes are then 0. */
  available: Type.Boolean(),
  capacityBytes: Uint64,
  usedBytes: Uint64,
  allowDevices: Type.Boolean(),
  /** The folder, for a local principal only. */
  path: Type.Optional(Type.String({ maxLength: 4096 })),
});

/** A storage pool. */
export type PoolInfo = StaticDecode<typeof PoolInfoSchema>;

/** Wire schema of {@link ImageInfo}. */
export const ImageInfoSchema = Type.Object({
  name: ImageName,
  /** The file's size. */
  sizeBytes: Uint64,
  /** The image format as probed (`qcow2`, `vmdk`, `raw`, ...). */
  format: Type.String({ maxLength: 32 }),
  /** The disk's size as the guest sees it. */
  virtualSizeBytes: Type.Optional(Uint64),
  /** The systems whose definitions use it (names). */
  usedBy: Type.Array(Type.String({ maxLength: 128 })),
  /** When the file last changed (absent for a block device); with the size, REST's ETag of its download. */
  modifiedAt: Type.Optional(Timestamp),
});

/** An image in a pool. */
export type ImageInfo = StaticDecode<typeof ImageInfoSchema>;

/** Wire schema of {@link PoolSpec}. */
export const PoolSpecSchema = Strict({
  id: PoolName,
  path: Type.String({ minLength: 1, maxLength: 4096, pattern: '^/' }),
  allowDevices: Type.Optional(Type.Boolean()),
});

/** A pool to add: its name, its folder (absolute), whether block devices in it may be used. */
export type PoolSpec = StaticDecode<typeof PoolSpecSchema>;

/**
 * The storage pools of a host.
 *
 * @example
 * await api.pools.add({ id: 'images', path: '/srv/images' });
 * for (const i of await api.pools.images('images')) console.log(i.name, i.format);
 */
export interface PoolsApi {
  list(): Promise<PoolInfo[]>;
  get(id: string): Promise<PoolInfo>;
  add(spec: PoolSpec): Promise<PoolInfo>;
  remove(id: string): Promise<void>;
  images(id: string): Promise<ImageInfo[]>;
  upload(
    id: string,
    name: string,
    body: ByteStream,
    o?: { sha256?: string; sizeBytes?: bigint },
  ): Promise<ImageInfo>;
  /** The image's bytes, from `offset` on when given (a cut download resumes there; past the end: none). */
  download(id: string, name: string, o?: { offset?: bigint }): Promise<ByteStream>;
  deleteImage(id: string, name: string): Promise<void>;
  /** A new empty image of `sizeBytes` (a multiple of 512, 1 MiB to 64 TiB) in a pool, as qcow2 or raw. */
  createImage(id: string, name: string, sizeBytes: bigint, format: NewImageFormat): Promise<ImageInfo>;
}

/** The formats a new empty image may have. */
export const NEW_IMAGE_FORMATS = ['qcow2', 'raw'] as const;

/** A format of {@link NEW_IMAGE_FORMATS}. */
export type NewImageFormat = (typeof NEW_IMAGE_FORMATS)[number];

/** The largest new empty image: 64 TiB (qcow2's default cluster size addresses far more; a guard, not a limit of it). */
export const MAX_NEW_IMAGE_BYTES = 64n << 40n;
