#!/usr/bin/env -S node --max-semi-space-size=32
/**
 * The `vessel` executable: loads every command group, then runs the program.
 *
 * The node flags on the first line are the host's (`vessel host serve`; the image's vessel.service passes the same,
 * node-flags.test.ts checks it, and bench/wsman-pair.ts runs its server with them): a young generation of 32 MiB
 * semi-spaces instead of 16 makes half as many minor collections under load, each costing about the same (a WS-Man
 * Get allocates about 40 KiB, nearly all of it dead by the next collection). V8 sizes its heap when it starts, so
 * the flag cannot be set from here (v8.setFlagsFromString leaves the young generation as it was).
 */
import './commands/index.js';
import { main } from './program.js';

// A reader that goes away (`vessel ... | head`) is not an error: stop quietly, as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

await main(process.argv);
