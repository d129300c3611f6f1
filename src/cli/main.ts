#!/usr/bin/env node
/** The `vessel` executable: loads every command group, then runs the program. */
import './commands/index.js';
import { main } from './program.js';

await main(process.argv);
