import { describe, expect, it } from 'vitest';
import {
  fromLibvirtState,
  LIBVIRT_EVENT_STATE,
  LIBVIRT_STATE_OF,
  LIBVIRT_STATES,
  VirDomainEvent,
  VirDomainState,
} from './libvirt-values.js';
import { STATE_REASON_CODES, SYSTEM_STATES } from './state.js';

describe('libvirt state tables', () => {
  it('read every virDomainState, with reasons from our vocabulary', () => {
    for (const v of Object.values(VirDomainState)) {
      const row = LIBVIRT_STATES[v];
      expect(row).toBeDefined();
      expect(SYSTEM_STATES).toContain(row!.state);
      for (const r of [...Object.values(row!.reasons), row!.otherwise])
        expect(STATE_REASON_CODES).toContain(r);
    }
  });

  it('read the reasons of the design table', () => {
    expect(fromLibvirtState(5, 0)).toEqual({ state: 'stopped', reason: 'defined' });
    expect(fromLibvirtState(5, 1)).toEqual({ state: 'stopped', reason: 'shutdown' });
    expect(fromLibvirtState(5, 2)).toEqual({ state: 'stopped', reason: 'powered-off' });
    expect(fromLibvirtState(5, 3)).toEqual({ state: 'stopped', reason: 'process-exited' });
    expect(fromLibvirtState(5, 6)).toEqual({ state: 'stopped', reason: 'start-failed' });
    expect(fromLibvirtState(5, 8)).toEqual({ state: 'stopped', reason: 'host-stopped' });
    expect(fromLibvirtState(1, 1)).toEqual({ state: 'running', reason: 'booted' });
    expect(fromLibvirtState(1, 5)).toEqual({ state: 'running', reason: 'unpaused' });
    expect(fromLibvirtState(1, 0)).toEqual({ state: 'running', reason: 'adopted' });
    expect(fromLibvirtState(2, 0)).toEqual({ state: 'running', reason: 'unknown' });
    expect(fromLibvirtState(3, 1)).toEqual({ state: 'paused', reason: 'user' });
    expect(fromLibvirtState(3, 5)).toEqual({ state: 'paused', reason: 'io-error' });
    expect(fromLibvirtState(3, 2)).toEqual({ state: 'paused', reason: 'hypervisor' });
    expect(fromLibvirtState(6, 1)).toEqual({ state: 'crashed', reason: 'panicked' });
    expect(fromLibvirtState(4, 1)).toEqual({ state: 'stopping', reason: 'shutdown' });
    expect(fromLibvirtState(7, 0)).toEqual({ state: 'suspended', reason: 'unknown' });
  });

  it('tells a managed save (suspended) from a save to a file (stopped)', () => {
    expect(fromLibvirtState(5, 5, { managedSave: true })).toEqual({ state: 'suspended', reason: 'saved' });
    expect(fromLibvirtState(5, 5)).toEqual({ state: 'stopped', reason: 'saved' });
  });

  it('calls a state or reason from a newer libvirt unknown, never throws', () => {
    expect(fromLibvirtState(99, 0)).toEqual({ state: 'unknown', reason: 'unknown' });
    expect(fromLibvirtState(5, 99)).toEqual({ state: 'stopped', reason: 'unknown' });
    expect(fromLibvirtState(3, 99).reason).toBe('hypervisor');
  });

  it('writes every state but the host-only starting, and reads it back', () => {
    expect(Object.keys(LIBVIRT_STATE_OF).sort()).toEqual([...SYSTEM_STATES].sort());
    for (const state of SYSTEM_STATES) {
      const v = LIBVIRT_STATE_OF[state];
      if (state === 'starting') expect(v).toBeUndefined();
      else expect(fromLibvirtState(v!, 0).state).toBe(state);
    }
  });

  it('maps every lifecycle event, and DEFINED/UNDEFINED to no state', () => {
    for (const v of Object.values(VirDomainEvent)) expect(Object.hasOwn(LIBVIRT_EVENT_STATE, v)).toBe(true);
    expect(LIBVIRT_EVENT_STATE[VirDomainEvent.DEFINED]).toBeUndefined();
    expect(LIBVIRT_EVENT_STATE[VirDomainEvent.UNDEFINED]).toBeUndefined();
    expect(LIBVIRT_EVENT_STATE[VirDomainEvent.STOPPED]).toBe('stopped');
    expect(LIBVIRT_EVENT_STATE[VirDomainEvent.SUSPENDED]).toBe('paused');
    expect(LIBVIRT_EVENT_STATE[VirDomainEvent.CRASHED]).toBe('crashed');
  });
});
