import { describe, expect, it } from 'vitest';
import {
  availableRequestedStates,
  CIM_JOB_STATE_OF,
  CIM_STATE_OF,
  operationForRequestedState,
  REQUESTED_STATE_OF,
  requestedStateOf,
  requestedStatesSupported,
  systemStateFromCim,
} from './cim-values.js';
import { JOB_STATES } from './jobs.js';
import { ALLOWED_FROM, STATE_OPERATIONS, type StateOperation } from './operations.js';
import { SYSTEM_STATES } from './state.js';

// ValueMaps of CIM 2.41 (CIM_EnabledLogicalElement.mof, CIM_ManagedSystemElement.mof, CIM_ConcreteJob.mof).
const ENABLED_STATE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const OPERATING_STATUS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const REQUESTED_STATE_PARAM = [2, 3, 4, 6, 7, 8, 9, 10, 11];
const JOB_STATE = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const ALL_BUT_SUSPEND = STATE_OPERATIONS.filter((op) => op !== 'suspend');

describe('CIM_STATE_OF', () => {
  it('maps every state to values of the DMTF ValueMaps', () => {
    expect(Object.keys(CIM_STATE_OF).sort()).toEqual([...SYSTEM_STATES].sort());
    for (const v of Object.values(CIM_STATE_OF)) {
      expect(ENABLED_STATE).toContain(v.enabledState);
      expect(OPERATING_STATUS).toContain(v.operatingStatus);
      expect([0, 2, 6]).toContain(v.operationalStatus);
    }
  });

  it('gives each state its own EnabledState, except crashed which is Disabled with an Error status', () => {
    const seen = new Map<number, string>();
    for (const [state, v] of Object.entries(CIM_STATE_OF)) {
      if (state === 'crashed') continue;
      expect(seen.get(v.enabledState)).toBeUndefined();
      seen.set(v.enabledState, state);
    }
    expect(CIM_STATE_OF.crashed).toEqual({ enabledState: 3, operatingStatus: 6, operationalStatus: 6 });
    expect(CIM_STATE_OF.running).toEqual({ enabledState: 2, operatingStatus: 16, operationalStatus: 2 });
    expect(CIM_STATE_OF.paused.enabledState).toBe(9);
    expect(CIM_STATE_OF.suspended.enabledState).toBe(6);
  });

  it('is read back by systemStateFromCim for every state', () => {
    for (const state of SYSTEM_STATES) {
      const v = CIM_STATE_OF[state];
      expect(systemStateFromCim(v.enabledState, [v.operationalStatus])).toBe(state);
    }
  });

  it("reads Hyper-V's vendor values and calls the rest unknown", () => {
    expect(systemStateFromCim(32768)).toBe('paused');
    expect(systemStateFromCim(32769)).toBe('suspended');
    expect(systemStateFromCim(32770)).toBe('starting');
    expect(systemStateFromCim(32774)).toBe('stopping');
    for (const v of [1, 5, 7, 8, 11, 32771, 65535, -1, Number.NaN])
      expect(systemStateFromCim(v)).toBe('unknown');
  });
});

describe('RequestedState', () => {
  it('is a RequestStateChange value for every state change, 12 when none was asked', () => {
    for (const op of STATE_OPERATIONS) expect(REQUESTED_STATE_PARAM).toContain(REQUESTED_STATE_OF[op]);
    expect(requestedStateOf(undefined)).toBe(12);
    expect(requestedStateOf('shutdown')).toBe(4);
  });

  it('is turned back into the operation it stands for, in every state that allows it', () => {
    for (const op of STATE_OPERATIONS) {
      for (const state of ALLOWED_FROM[op]) {
        expect([op, state, operationForRequestedState(REQUESTED_STATE_OF[op], state)]).toEqual([
          op,
          state,
          op,
        ]);
      }
    }
  });

  it('reads 2 as resume from paused or suspended and as start elsewhere; values Vessel lacks as undefined', () => {
    expect(operationForRequestedState(2, 'paused')).toBe('resume');
    expect(operationForRequestedState(2, 'suspended')).toBe('resume');
    expect(operationForRequestedState(2, 'stopped')).toBe('start');
    expect(operationForRequestedState(2, 'running')).toBe('start');
    for (const v of [0, 5, 7, 8, 12, 32768]) expect(operationForRequestedState(v, 'running')).toBeUndefined();
  });
});

describe('availableRequestedStates()', () => {
  it('offers 3, 4, 9, 10, 11 for a running system (and 6 where suspend is supported)', () => {
    expect(availableRequestedStates('running', ALL_BUT_SUSPEND)).toEqual([3, 4, 9, 10, 11]);
    expect(availableRequestedStates('running', STATE_OPERATIONS)).toEqual([3, 4, 6, 9, 10, 11]);
  });

  it('offers 2 and 3 for a paused system (and 6 where suspend is supported)', () => {
    expect(availableRequestedStates('paused', ALL_BUT_SUSPEND)).toEqual([2, 3]);
    expect(availableRequestedStates('paused', STATE_OPERATIONS)).toEqual([2, 3, 6]);
  });

  it('offers 2 when stopped, 3 while starting or stopping, nothing when unknown', () => {
    expect(availableRequestedStates('stopped', STATE_OPERATIONS)).toEqual([2]);
    expect(availableRequestedStates('starting', STATE_OPERATIONS)).toEqual([3]);
    expect(availableRequestedStates('stopping', STATE_OPERATIONS)).toEqual([3]);
    expect(availableRequestedStates('unknown', STATE_OPERATIONS)).toEqual([]);
  });

  it('leaves out what the host does not support', () => {
    const basic: StateOperation[] = ['start', 'powerOff'];
    expect(availableRequestedStates('running', basic)).toEqual([3]);
    expect(availableRequestedStates('paused', basic)).toEqual([3]);
  });

  it('is always a subset of RequestedStatesSupported (CIM_EnabledLogicalElement.AvailableRequestedStates)', () => {
    for (const supported of [STATE_OPERATIONS, ALL_BUT_SUSPEND, ['start', 'powerOff'] as StateOperation[]]) {
      const all = requestedStatesSupported(supported);
      for (const state of SYSTEM_STATES) {
        for (const v of availableRequestedStates(state, supported)) expect(all).toContain(v);
      }
    }
    expect(requestedStatesSupported(ALL_BUT_SUSPEND)).toEqual([2, 3, 4, 9, 10, 11]);
  });
});

describe('CIM_JOB_STATE_OF', () => {
  it('maps every job state to a distinct CIM_ConcreteJob JobState', () => {
    expect(Object.keys(CIM_JOB_STATE_OF).sort()).toEqual([...JOB_STATES].sort());
    const values = Object.values(CIM_JOB_STATE_OF);
    for (const v of values) expect(JOB_STATE).toContain(v);
    expect(new Set(values).size).toBe(values.length);
    expect(CIM_JOB_STATE_OF.completed).toBe(7);
    expect(CIM_JOB_STATE_OF.failed).toBe(10);
  });
});
