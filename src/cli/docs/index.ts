/**
 * The program's own documentation, generated from its command definitions: shell completion scripts and
 * manual pages.
 */
export { COMPLETION_SHELLS, type CompletionShell, completionScript } from './completion.js';
export { type ManPage, manPages } from './man.js';
export { allCommands, type CommandDoc, commandTree, type OptionDoc } from './tree.js';
