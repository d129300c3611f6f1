import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DigestAlgorithm,
  diskOfFile,
  type FileTransform,
  formatManifest,
  type OvaSigner,
  signManifest,
} from '../../ova/index.js';
import { formatOvf, type OvfEnvelope } from '../../ovf/index.js';
import { HostError } from '../errors.js';

/** One file of an OVF folder as written. */
interface FolderMember {
  name: string;
  size: number;
  digest: string | undefined;
}

/** Where each File's bytes come from: the transform's output, or a file copied as it is. */
interface FolderSources {
  transform: FileTransform;
  /** Source paths of Files the transform does not convert (CD/DVD images), by href. */
  copies: ReadonlyMap<string, string>;
}

async function writeStream(
  path: string,
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  algorithm: DigestAlgorithm | undefined,
) {
  const fh = await open(path, 'wx');
  const hash = algorithm === undefined ? undefined : createHash(algorithm);
  let size = 0;
  try {
    for await (const chunk of body) {
      hash?.update(chunk);
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
      size += chunk.length;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { size, digest: hash?.digest('hex') };
}

/**
 * Writes an OVF package as a folder: every File (disks converted by the transform as they are written, other
 * files copied), then the descriptor with the sizes filled in, the manifest and, when signing, the certificate.
 * Files are written under temporary names (`tempPrefix` + name; see staging.ts) and renamed at the end,
 * so a failure leaves no package behind; existing files are never replaced (`EEXIST`).
 */
export async function writeOvfFolder(
  env: OvfEnvelope,
  dir: string,
  descriptorName: string,
  sources: FolderSources,
  options: {
    algorithm?: DigestAlgorithm | undefined;
    signer?: OvaSigner | undefined;
    tempPrefix: string;
  },
): Promise<FolderMember[]> {
  await mkdir(dir, { recursive: true });
  const written: { temp: string; final: string }[] = [];
  const members: FolderMember[] = [];
  const put = async (name: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) => {
    const temp = join(dir, `${options.tempPrefix}${name.replaceAll('/', '_')}`);
    written.push({ temp, final: join(dir, name) });
    const r = await writeStream(temp, body, options.algorithm);
    members.push({ name, size: r.size, digest: r.digest });
    return r;
  };
  try {
    for (const file of env.references) {
      const plan = await sources.transform.plan({
        env,
        file,
        disk: diskOfFile(env, file.id),
        sourcePath: sources.copies.get(file.href) ?? '',
      });
      plan?.edit?.();
      const copy = sources.copies.get(file.href);
      const body = plan
        ? plan.open()
        : copy === undefined
          ? undefined
          : createReadStream(copy, { highWaterMark: 1 << 20 });
      if (body === undefined) continue;
      const r = await put(file.href, body);
      file.size = String(r.size);
    }
    const descriptor = Buffer.from(formatOvf(env));
    await put(descriptorName, [descriptor]);
    if (options.algorithm !== undefined) {
      const algorithm = options.algorithm;
      const entries = [members.at(-1)!, ...members.slice(0, -1)].map((m) => ({
        algorithm,
        file: m.name,
        digest: m.digest!,
      }));
      const mfName = descriptorName.replace(/\.ovf$/i, '.mf');
      const manifest = Buffer.from(formatManifest(entries));
      await put(mfName, [manifest]);
      if (options.signer !== undefined) {
        const cert = signManifest(manifest, mfName, options.signer, algorithm);
        await put(descriptorName.replace(/\.ovf$/i, '.cert'), [Buffer.from(cert)]);
      }
    }
    const clash = written.find((w) => existsSync(w.final));
    if (clash !== undefined) throw new HostError('EXPORT_OUTPUT', `${clash.final} exists already`);
    for (const w of written) await rename(w.temp, w.final);
    return members;
  } catch (e) {
    await Promise.all(written.map((w) => rm(w.temp, { force: true })));
    throw e;
  }
}
