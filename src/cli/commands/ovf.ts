import type { Command } from 'commander';
import { registerGroup } from '../program.js';

registerGroup((program: Command) => {
  program.command('ovf').description('Read, validate, format and edit OVF descriptors');
});
