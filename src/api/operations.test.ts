import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import {
  ALLOWED_FROM,
  type CheckedOperation,
  checkTransition,
  ENDS_IN,
  isStateOperation,
  OPERATIONS,
  operationsFrom,
  STATE_OPERATIONS,
  transitionRefusal,
  VERB,
} from './operations.js';
import { DOMAIN_STATES, SYSTEM_STATES } from './state.js';

describe('ALLOWED_FROM', () => {
  it('covers every state operation, undefine and modify, and names only known states', () => {
    expect(Object.keys(ALLOWED_FROM).sort()).toEqual([...STATE_OPERATIONS, 'undefine', 'modify'].sort());
    for (const states of Object.values(ALLOWED_FROM)) {
      expect(states.length).toBeGreaterThan(0);
      for (const s of states) expect(SYSTEM_STATES).toContain(s);
      expect(new Set(states).size).toBe(states.length);
    }
  });

  it('never allows an operation from the state it ends in, except the restarts of a running system', () => {
    for (const op of STATE_OPERATIONS) {
      const allowed = ALLOWED_FROM[op].includes(ENDS_IN[op]);
      expect([op, allowed]).toEqual([op, op === 'reboot' || op === 'reset']);
    }
  });

  it('lets definitions change only while stopped, and allows nothing in an unknown state', () => {
    expect(ALLOWED_FROM.undefine).toEqual(['stopped']);
    expect(ALLOWED_FROM.modify).toEqual(['stopped']);
    expect(operationsFrom('unknown')).toEqual([]);
  });

  it('matches the DSP1057 state model for the stable states', () => {
    expect(operationsFrom('stopped')).toEqual(['start']);
    expect(operationsFrom('running')).toEqual([
      'shutdown',
      'powerOff',
      'reboot',
      'reset',
      'pause',
      'suspend',
    ]);
    expect(operationsFrom('paused')).toEqual(['resume', 'powerOff', 'suspend']);
    expect(operationsFrom('suspended')).toEqual(['resume', 'powerOff']);
    expect(operationsFrom('crashed')).toEqual(['start', 'powerOff']);
    expect(operationsFrom('starting')).toEqual(['powerOff']);
    expect(operationsFrom('stopping')).toEqual(['powerOff']);
  });

  it('ends every state change in a state a driver reports', () => {
    for (const op of STATE_OPERATIONS) expect(DOMAIN_STATES).toContain(ENDS_IN[op]);
  });
});

describe('operation vocabulary', () => {
  it('includes every state operation in OPERATIONS, once', () => {
    for (const op of STATE_OPERATIONS) expect(OPERATIONS).toContain(op);
    expect(new Set(OPERATIONS).size).toBe(OPERATIONS.length);
  });

  it('recognises state operations and nothing else', () => {
    expect(isStateOperation('powerOff')).toBe(true);
    expect(isStateOperation('poweroff')).toBe(false);
    expect(isStateOperation('stop')).toBe(false);
    expect(isStateOperation('define')).toBe(false);
  });
});

describe('transitionRefusal() and checkTransition()', () => {
  it('says what and why, in the words users already see', () => {
    expect(transitionRefusal('web1', 'running', 'start')).toBe('Cannot start "web1": it is already running');
    expect(transitionRefusal('web1', 'paused', 'pause')).toBe('Cannot pause "web1": it is already paused');
    expect(transitionRefusal('web1', 'stopped', 'pause')).toBe('Cannot pause "web1": it is stopped');
    expect(transitionRefusal('web1', 'paused', 'start')).toBe(
      'Cannot start "web1": it is paused; resume it instead',
    );
    expect(transitionRefusal('web1', 'running', 'undefine')).toBe(
      'Cannot undefine "web1": it is running; stop it first',
    );
    expect(transitionRefusal('web1', 'running', 'resume')).toBe(
      'Cannot resume "web1": it is already running',
    );
    expect(transitionRefusal('web1', 'stopped', 'shutdown')).toBe(
      'Cannot shut down "web1": it is already stopped',
    );
    expect(transitionRefusal('web1', 'unknown', 'powerOff')).toBe(
      'Cannot power off "web1": its state is unknown',
    );
  });

  it('answers undefined exactly where ALLOWED_FROM allows, for every operation and state', () => {
    for (const op of Object.keys(ALLOWED_FROM) as CheckedOperation[]) {
      for (const state of SYSTEM_STATES) {
        const refusal = transitionRefusal('v', state, op);
        expect(refusal === undefined).toBe(ALLOWED_FROM[op].includes(state));
        if (refusal !== undefined) expect(refusal.startsWith(`Cannot ${VERB[op]} "v": it`)).toBe(true);
      }
    }
  });

  it('throws INVALID_STATE as an ApiError, and nothing when allowed', () => {
    expect(() => checkTransition('db', 'stopped', 'start')).not.toThrow();
    try {
      checkTransition('db', 'running', 'modify');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe('INVALID_STATE');
      expect((e as ApiError).message).toBe('Cannot modify "db": it is running; stop it first');
    }
  });
});
