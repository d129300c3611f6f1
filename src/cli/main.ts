#!/usr/bin/env node
/** The `vessel` executable: loads every command group, then runs the program. */
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
