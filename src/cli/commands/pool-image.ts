import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Api, ApiError, type ByteStream, type ImageInfo } from '../../api/index.js';
import { formatBytes, VesselError } from '../../model/index.js';
import { withApi } from '../connect.js';
import { action, printJson, println } from '../output.js';
import { Progress } from '../progress.js';

/**
 * `vessel pool image upload|download|list|delete`: a pool's images through the Api's pools namespace, so the same
 * on this host, over its socket and over REST. A download goes to `FILE.part` beside the output (with
 * `FILE.part.json` naming the image it is of) and is renamed when whole; run again after a cut, it asks only for
 * the bytes it lacks (the Api's offset: a Range over REST), as long as the image has not changed meanwhile.
 */

/** What a partial download is of: the image's size and change time when it started. */
interface PartOf {
  pool: string;
  name: string;
  sizeBytes: string;
  modifiedAt?: string | undefined;
}

async function imageOf(api: Api, pool: string, name: string): Promise<ImageInfo> {
  const image = (await api.pools.images(pool)).find((i) => i.name === name);
  if (image === undefined)
    throw new ApiError('NOT_FOUND', `No image "${name}" in the storage pool "${pool}"`, {
      detail: { domain: 'host', code: 'IMAGE_NOT_FOUND' },
    });
  return image;
}

/** The bytes of `path` as they are read, counted for the progress bar and hashed. */
async function* counted(
  path: string,
  onBytes: (n: number) => void,
  hash: ReturnType<typeof createHash>,
): ByteStream {
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    onBytes(chunk.length);
    yield chunk;
  }
}

/** Where a cut download may go on: the bytes of `part` when `partOf` says they are of this very image. */
async function resumeFrom(part: string, meta: string, want: PartOf): Promise<bigint> {
  try {
    const had = JSON.parse(await readFile(meta, 'utf8')) as PartOf;
    const st = await lstat(part);
    const same =
      had.pool === want.pool &&
      had.name === want.name &&
      had.sizeBytes === want.sizeBytes &&
      had.modifiedAt === want.modifiedAt;
    if (same && st.isFile() && BigInt(st.size) <= BigInt(want.sizeBytes)) return BigInt(st.size);
  } catch {
    // No partial download, or one that cannot be read: start over.
  }
  await rm(part, { force: true });
  return 0n;
}

/**
 * Downloads the image `name` of `pool` to `out` (see the module's note); resolves with the bytes written and their
 * SHA-256.
 */
async function download(
  api: Api,
  pool: string,
  name: string,
  out: string,
  o: { overwrite: boolean; sha256?: string | undefined; progress: Progress },
): Promise<{ sizeBytes: bigint; sha256: string; resumedAt: bigint }> {
  if (!o.overwrite && (await exists(out)))
    throw new VesselError('USAGE', `${out} exists; add --overwrite to replace it`);
  const image = await imageOf(api, pool, name);
  const part = `${out}.part`;
  const meta = `${out}.part.json`;
  const want: PartOf = { pool, name, sizeBytes: image.sizeBytes.toString(), modifiedAt: image.modifiedAt };
  const offset = await resumeFrom(part, meta, want);
  await writeFile(meta, JSON.stringify(want));
  const hash = createHash('sha256');
  // The bytes already there count towards the digest of the whole.
  if (offset > 0n) for await (const c of createReadStream(part) as AsyncIterable<Buffer>) hash.update(c);
  let done = offset;
  const total = Number(image.sizeBytes);
  const fh = await open(part, 'a', 0o644);
  try {
    if (offset < image.sizeBytes || image.sizeBytes === 0n)
      for await (const chunk of await api.pools.download(pool, name, offset > 0n ? { offset } : {})) {
        hash.update(chunk);
        done += BigInt(chunk.length);
        await fh.write(chunk);
        o.progress.update({ done: Number(done), total });
      }
    await fh.sync();
  } finally {
    await fh.close();
  }
  const sha256 = hash.digest('hex');
  if (image.sizeBytes > 0n && done !== image.sizeBytes) {
    await rm(part, { force: true });
    await rm(meta, { force: true });
    throw new ApiError(
      'PROTOCOL',
      `${name}: got ${done} bytes, the host lists ${image.sizeBytes}; run it again`,
    );
  }
  if (o.sha256 !== undefined && sha256 !== o.sha256) {
    await rm(part, { force: true });
    await rm(meta, { force: true });
    throw new ApiError(
      'INVALID_ARGUMENT',
      `${name} has SHA-256 ${sha256}, not ${o.sha256}; nothing is kept`,
      {
        detail: { domain: 'cli', code: 'DIGEST_MISMATCH' },
      },
    );
  }
  if (!o.overwrite && (await exists(out)))
    throw new VesselError('USAGE', `${out} exists; add --overwrite to replace it`);
  await rename(part, out);
  await rm(meta, { force: true });
  return { sizeBytes: done, sha256, resumedAt: offset };
}

function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

const SHA256 = /^[0-9a-f]{64}$/;

function sha256Option(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const h = text.toLowerCase();
  if (!SHA256.test(h)) throw new VesselError('USAGE', `--sha256 "${text.slice(0, 80)}" is not 64 hex digits`);
  return h;
}

/**
 * Adds `image upload|download|list|delete` to the `pool` command group.
 *
 * @example
 * addImageCommands(program.command('pool'));
 */
export function addImageCommands(pool: Command): void {
  const image = pool.command('image').description("A storage pool's images: list, upload, download, delete");

  image
    .command('list')
    .description('List the images of a pool: name, size, format, the systems that use it')
    .argument('<pool>', 'the pool')
    .option('--json', 'print JSON (sizes in bytes)')
    .action(
      action(async (id: string, opts: { json?: boolean }, command: Command) => {
        const images = await withApi(command, (api) => api.pools.images(id));
        if (opts.json) printJson(images);
        else
          for (const i of images)
            println(`${i.name}\t${formatBytes(i.sizeBytes)}\t${i.format}\t${i.usedBy.join(',') || '-'}`);
        return 0;
      }),
    );

  image
    .command('upload')
    .description('Upload a file into a pool (streamed; nothing is left in the pool when it fails or is cut)')
    .argument('<pool>', 'the pool')
    .argument('<file>', 'the image file')
    .option('--name <name>', "the image's name in the pool (default: the file's name)")
    .option('--sha256 <hex>', 'the SHA-256 the host must find, else it keeps nothing')
    .option('--json', 'print JSON')
    .action(
      action(
        async (
          id: string,
          file: string,
          opts: { name?: string; sha256?: string; json?: boolean },
          command: Command,
        ) => {
          const sha256 = sha256Option(opts.sha256);
          const path = resolve(file);
          const st = await stat(path).catch(() => undefined);
          if (st === undefined || !st.isFile())
            throw new VesselError('USAGE', `${file} is not a readable file`);
          const name = opts.name ?? basename(path);
          const progress = new Progress(`upload ${name}`, { quiet: opts.json === true });
          const hash = createHash('sha256');
          let done = 0;
          try {
            const made = await withApi(command, (api) =>
              api.pools.upload(
                id,
                name,
                counted(
                  path,
                  (n) => {
                    done += n;
                    progress.update({ done, total: st.size });
                  },
                  hash,
                ),
                { sizeBytes: BigInt(st.size), ...(sha256 === undefined ? {} : { sha256 }) },
              ),
            );
            progress.finish(
              `uploaded ${name} to the pool ${id} (${formatBytes(made.sizeBytes)}, ${made.format})`,
            );
            if (opts.json) printJson({ ...made, pool: id, sha256: hash.digest('hex') });
            return 0;
          } catch (e) {
            progress.fail();
            throw e;
          }
        },
      ),
    );

  image
    .command('download')
    .description('Download an image of a pool to a file; run again after a cut, it goes on where it stopped')
    .argument('<pool>', 'the pool')
    .argument('<name>', 'the image')
    .requiredOption('-o, --output <file>', 'the file to write')
    .option('--overwrite', 'replace the output file when it exists')
    .option('--sha256 <hex>', 'the SHA-256 the download must have, else nothing is kept')
    .option('--json', 'print JSON')
    .action(
      action(
        async (
          id: string,
          name: string,
          opts: { output: string; overwrite?: boolean; sha256?: string; json?: boolean },
          command: Command,
        ) => {
          const sha256 = sha256Option(opts.sha256);
          const out = resolve(opts.output);
          const progress = new Progress(`download ${name}`, { quiet: opts.json === true });
          try {
            const r = await withApi(command, (api) =>
              download(api, id, name, out, { overwrite: opts.overwrite === true, sha256, progress }),
            );
            const resumed = r.resumedAt > 0n ? `, resumed at ${r.resumedAt} bytes` : '';
            progress.finish(`downloaded ${name} to ${out} (${formatBytes(r.sizeBytes)}${resumed})`);
            if (opts.json)
              printJson({
                pool: id,
                name,
                output: out,
                sizeBytes: r.sizeBytes,
                sha256: r.sha256,
                resumedAtBytes: r.resumedAt,
              });
            return 0;
          } catch (e) {
            progress.fail();
            throw e;
          }
        },
      ),
    );

  image
    .command('delete')
    .description('Delete an image of a pool; refused while a defined system uses it')
    .argument('<pool>', 'the pool')
    .argument('<name>', 'the image')
    .option('--json', 'print JSON')
    .action(
      action(async (id: string, name: string, opts: { json?: boolean }, command: Command) => {
        await withApi(command, (api) => api.pools.deleteImage(id, name));
        if (opts.json) printJson({ deleted: name, pool: id });
        else println(`Deleted the image "${name}" of the storage pool "${id}"`);
        return 0;
      }),
    );
}
