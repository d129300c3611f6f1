import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { type StaticDecode, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { type DeployOptions, DeployOptionsSchema } from '../../api/index.js';
import { VesselError } from '../../model/index.js';
import { CliFileError } from '../files.js';

/**
 * The deploy options file (`deploy --options FILE`, written by `deploy --dry-run --options-out FILE`), like govc's
 * `import.spec` output that `import.ova -options` takes: the Api's DeployOptions as JSON, less what only a caller
 * in a session decides (`waitMs`) and what this host refuses (`pool`). The file is untrusted input: it is read only
 * when it is a regular file of at most {@link MAX_OPTIONS_BYTES}, must be JSON, and must fit the Api's own schema
 * (unknown keys and wrong types refused), each refusal exit 2 naming the file and the JSON path.
 */

/** Wire schema of a deploy options file: DeployOptionsSchema without `waitMs` and `pool`. */
export const DeployOptionsFileSchema = Type.Omit(DeployOptionsSchema, ['waitMs', 'pool']);

/** What a deploy options file holds. */
export type DeployOptionsFile = StaticDecode<typeof DeployOptionsFileSchema>;

/** The largest options file read: the CA bundle the schema allows (1 MiB) and room for many properties. */
export const MAX_OPTIONS_BYTES = 4 << 20;

const refuse = (file: string, why: string) =>
  new VesselError('USAGE', `Options file "${file}": ${why}`, {
    hint: 'Write one with: vessel deploy PACKAGE --dry-run --options-out FILE',
  });

/** The bytes of `file`, refused (IO_READ) when it is not a regular file or is larger than the limit. */
async function readBounded(file: string): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // Non-blocking, so that a FIFO is refused at once rather than waited on.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(e);
    throw new CliFileError('IO_READ', `Cannot read "${file}": ${why}`, { cause: e });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      const what = st.isDirectory() ? 'it is a directory' : 'it is not a regular file';
      throw new CliFileError('IO_READ', `Cannot read "${file}": ${what}`);
    }
    const buf = Buffer.alloc(MAX_OPTIONS_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_OPTIONS_BYTES) throw refuse(file, `larger than ${MAX_OPTIONS_BYTES} bytes; it is not read`);
    }
    return buf.subarray(0, n);
  } finally {
    await handle.close();
  }
}

/**
 * Reads and checks a deploy options file.
 *
 * @example
 * const o = await readDeployOptionsFile('web.options.json'); // { configuration: 'large', properties: {...}, ... }
 */
export async function readDeployOptionsFile(file: string): Promise<DeployOptionsFile> {
  const text = (await readBounded(file)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw refuse(file, `not JSON (${(e as Error).message})`);
  }
  if (!Value.Check(DeployOptionsFileSchema, value)) {
    const e = Value.Errors(DeployOptionsFileSchema, value).First();
    const where = e === undefined || e.path === '' ? '/' : e.path;
    const what = e?.message === 'Unexpected property' ? 'not a deploy option' : (e?.message ?? 'invalid');
    throw refuse(file, `${where.slice(0, 300)}: ${what}`);
  }
  return Value.Decode(DeployOptionsFileSchema, value);
}

/** What the command line gave, each undefined when not given. */
export interface DeployFlags {
  name?: string | undefined;
  configuration?: string | undefined;
  properties: Record<string, string>;
  networks: Record<string, string>;
  powerOn?: true | undefined;
  acceptEula?: true | undefined;
  lax?: true | undefined;
  requireSignature?: true | undefined;
  caPem?: string | undefined;
}

/**
 * The options of a deploy: the file's, with each flag given on the command line in place of the file's value
 * (properties and networks key by key).
 *
 * @example
 * mergeDeployOptions({ powerOn: false, properties: { port: '80' } }, { properties: { port: '8080' }, networks: {} });
 * // { powerOn: false, properties: { port: '8080' }, networks: {}, acceptEula: false, lax: false, ... }
 */
export function mergeDeployOptions(file: DeployOptionsFile, flags: DeployFlags): DeployOptions {
  const name = flags.name ?? file.name;
  const configuration = flags.configuration ?? file.configuration;
  const caPem = flags.caPem ?? file.caPem;
  return {
    ...(name === undefined ? {} : { name }),
    ...(configuration === undefined ? {} : { configuration }),
    properties: { ...file.properties, ...flags.properties },
    networks: { ...file.networks, ...flags.networks },
    powerOn: flags.powerOn ?? file.powerOn ?? false,
    acceptEula: flags.acceptEula ?? file.acceptEula ?? false,
    lax: flags.lax ?? file.lax ?? false,
    requireSignature: flags.requireSignature ?? file.requireSignature ?? false,
    ...(caPem === undefined ? {} : { caPem }),
  };
}
