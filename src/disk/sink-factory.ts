import { Qcow2Sink } from './qcow2-writer.js';
import { RawSink, type SinkFactory } from './sinks.js';

/** A sink factory writing a raw (sparse) or qcow2 image at `path`. */
export function convertSinkFor(format: 'raw' | 'qcow2', path: string): SinkFactory {
  return format === 'raw' ? () => RawSink.create(path) : (size) => Qcow2Sink.create(path, size);
}
