import type { Command } from 'commander';
import { registerGroup } from '../program.js';

registerGroup((program: Command) => {
  program.command('host').description('(not yet implemented)');
});
