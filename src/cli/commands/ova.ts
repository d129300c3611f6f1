import type { Command } from 'commander';
import { registerGroup } from '../program.js';

registerGroup((program: Command) => {
  program.command('ova').description('(not yet implemented)');
});
