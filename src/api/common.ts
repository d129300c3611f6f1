import { type Static, type StaticDecode, Type } from '@sinclair/typebox';
import { Strict, WaitMs } from './schema.js';

/**
 * Types every namespace of the Api shares: how a system is named, the job options of mutating calls and the byte
 * streams of uploads, downloads and consoles.
 */

/**
 * A system by name or UUID; names are unique on a host, UUIDs compare case-insensitively.
 *
 * @example
 * await api.systems.get('web1');
 * await api.systems.get('6B29FC40-CA47-1067-B31D-00DD010662DA');
 */
export const SystemRefSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[^\\u0000-\\u001f\\u007f/]+$',
  description: 'a system name or UUID',
});

/** A system by name or UUID (see {@link SystemRefSchema}). */
export type SystemRef = Static<typeof SystemRefSchema>;

/** The options every mutating call takes. */
export const JobOptionsSchema = Strict({
  /** Resolve at once (0, the default), after `waitMs`, or when the job is done (`Infinity`; -1 on the wire). */
  waitMs: Type.Optional(WaitMs),
});

/**
 * Every mutating call returns a job and takes `waitMs`: CIM's synchronous window, REST's 202, `--no-wait`.
 *
 * @example
 * const job = await api.systems.changeState('web1', 'start', { waitMs: Number.POSITIVE_INFINITY });
 */
export type JobOptions = StaticDecode<typeof JobOptionsSchema>;

/** Bytes as they arrive: an upload's body, a download, one side of a console. */
export type ByteStream = AsyncIterable<Uint8Array>;

/**
 * A two-way byte connection (a serial console; RFB for VNC). Closing it ends both directions.
 *
 * @example
 * const ch = await api.consoles.open('web1', 'serial');
 * await ch.write(new TextEncoder().encode('root\n'));
 * for await (const chunk of ch.input) process.stdout.write(chunk);
 */
export interface ByteChannel {
  readonly input: ByteStream;
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
