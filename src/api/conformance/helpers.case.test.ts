import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildDefinition, type VirtualSystemDefinition } from '../../model/index.js';
import type { Api } from '../api.js';
import { ApiError, type ApiErrorCode } from '../errors.js';
import { type JobInfo, resultOf } from '../jobs.js';
import type { SystemSummary } from '../systems-data.js';

/** Shared steps of the conformance cases. Assertions use node:assert, so a case states what it expects. */

/** Waits "until the job ends". */
export const UNTIL_DONE = { waitMs: Number.POSITIVE_INFINITY } as const;

/** A small definition: 1 CPU, 64 MiB, one NIC on the user network, a serial port. */
export function smallDefinition(name: string): VirtualSystemDefinition {
  return buildDefinition({ name, cpus: 1, memoryBytes: 64n << 20n, nics: [{ network: 'user' }] });
}

/** A run-unique name maker: `conf-<tag>-<random>`. */
export function namer(): (tag: string) => string {
  const run = randomBytes(3).toString('hex');
  let n = 0;
  return (tag) => `conf-${tag}-${run}${n++ === 0 ? '' : `-${n}`}`;
}

/**
 * The ApiError a call ends in, whether the call refuses at once or its job fails: transports differ in which
 * refusals they find before the job starts, and both are the same refusal to a caller.
 */
export async function refusalOf(call: Promise<unknown>, api: Api): Promise<ApiError> {
  let value: unknown;
  try {
    value = await call;
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
    return e;
  }
  const job = value as JobInfo | undefined;
  assert.ok(job !== undefined && typeof job.id === 'string', 'the call neither refused nor returned a job');
  const done = await api.jobs.wait(job.id);
  assert.ok(
    done.error !== undefined,
    `job ${done.id} (${done.operation}) ended ${done.state}: expected a refusal`,
  );
  return ApiError.fromInfo(done.error);
}

/** Asserts that the call is refused with `code` (and, when given, exactly this message); answers the error. */
export async function expectRefusal(
  api: Api,
  call: Promise<unknown>,
  code: ApiErrorCode,
  message?: string | RegExp,
): Promise<ApiError> {
  const e = await refusalOf(call, api);
  assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message !== undefined) assert.match(e.message, message);
  return e;
}

/** Defines a system and waits; answers its summary. */
export async function define(api: Api, def: VirtualSystemDefinition): Promise<SystemSummary> {
  const job = await api.systems.define(def, UNTIL_DONE);
  assert.equal(
    job.state,
    'completed',
    `define ${def.system.ElementName}: ${job.error?.message ?? job.state}`,
  );
  return resultOf(job);
}

/** Changes a state and waits until the job ends; answers the summary the job gives. */
export async function change(api: Api, ref: string, op: Parameters<Api['systems']['changeState']>[1]) {
  const job = await api.systems.changeState(ref, op, UNTIL_DONE);
  assert.equal(job.state, 'completed', `${op} ${ref}: ${job.error?.message ?? job.state}`);
  return resultOf(job);
}

/** Resolves when `test` holds for what `events` gathered, or rejects after `ms` naming `what`. */
export async function until<T>(what: string, test: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = test();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new assert.AssertionError({ message: `timed out waiting for ${what}` });
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The bytes as a ByteStream, in chunks of `size`. */
export async function* streamOf(bytes: Uint8Array, size = 65_536): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Reads a ByteStream to the end. */
export async function readAll(s: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of s) parts.push(p);
  return Buffer.concat(parts);
}
