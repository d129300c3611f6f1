import type { Command } from 'commander';
import { registerGroup } from '../program.js';

registerGroup((program: Command) => {
  program.command('disk').description('(not yet implemented)');
});
