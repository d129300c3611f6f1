import type { Command } from 'commander';
import { registerGroup } from '../program.js';

registerGroup((program: Command) => {
  program.command('vm').description('(not yet implemented)');
});
