import type { TargetState } from './types.js';

/** The power actions of a state, in the order the UI offers them; `confirm` marks those that lose guest work. */
export interface PowerAction {
  target: TargetState;
  label: string;
  confirm?: string;
}

const START: PowerAction = { target: 'running', label: 'Start' };
const OFF: PowerAction = {
  target: 'stopped',
  label: 'Power off',
  confirm: 'The guest is cut off at once, like pulling the plug: unsaved work in it is lost.',
};

/** The actions that make sense from `state`. */
export function actionsFor(state: string): PowerAction[] {
  switch (state) {
    case 'stopped':
    case 'crashed':
    case 'suspended':
      return [START];
    case 'running':
      return [
        { target: 'shutdown', label: 'Shut down' },
        OFF,
        { target: 'reboot', label: 'Reboot' },
        { target: 'reset', label: 'Reset', confirm: 'The guest restarts at once without shutting down.' },
        { target: 'paused', label: 'Pause' },
      ];
    case 'paused':
      return [{ target: 'running', label: 'Resume' }, OFF];
    default:
      return [OFF];
  }
}
