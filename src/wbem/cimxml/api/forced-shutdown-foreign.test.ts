import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorXml,
  type FakeCimom,
  type FakeInstance,
  type FakeRequest,
  imethod,
  instancePath,
  instanceXml,
  method,
  named,
  paths,
  reply,
  startFakeCimom,
} from '../../../../test/helpers/fake-cimom.js';
import { CimXmlApi } from './cimxml-api.js';

// A forced shutdown against a DMTF host that is not Vessel and lets the guest take longer than the TimeoutPeriod:
// its shutdown job (DSP1103) is still running at the time, so the client waits a grace more, then powers off
// (RequestStateChange 3), which ends the host's job; the client's one job completed, forced-after-timeout.

const NS = 'root/acme';
const INTEROP = 'root/interop';
const host: FakeInstance = {
  className: 'Acme_HostSystem',
  keys: { CreationClassName: 'Acme_HostSystem', Name: 'acme1' },
  props: { ElementName: 'acme1', EnabledState: 2 },
  namespace: NS,
};
let enabled = 2;
let jobState = 4;
const vm = (): FakeInstance => ({
  className: 'Acme_ComputerSystem',
  keys: { CreationClassName: 'Acme_ComputerSystem', Name: 'slow1' },
  props: { ElementName: 'slow1', EnabledState: enabled, RequestedState: enabled === 3 ? 3 : 4 },
  namespace: NS,
});
const caps: FakeInstance = {
  className: 'Acme_EnabledLogicalElementCapabilities',
  keys: { InstanceID: 'slow1' },
  props: { RequestedStatesSupported: [2, 3, 4] },
  namespace: NS,
};
const job = (): FakeInstance => ({
  className: 'Acme_ConcreteJob',
  keys: { InstanceID: 'Acme:1' },
  props: { JobState: jobState, PercentComplete: 0, Name: 'RequestStateChange' },
  namespace: NS,
});

function answer(q: FakeRequest): string {
  const is = (m: string, cls?: string) => q.method === m && (cls === undefined || q.className === cls);
  if (is('EnumerateInstances', 'CIM_RegisteredProfile') && q.namespace === INTEROP)
    return imethod(
      q,
      named([
        {
          className: 'Acme_RegisteredProfile',
          keys: { InstanceID: 'sv' },
          props: {
            RegisteredOrganization: 2,
            RegisteredName: 'System Virtualization',
            RegisteredVersion: '1.0.0',
          },
          namespace: INTEROP,
        },
      ]),
    );
  if (is('AssociatorNames', 'Acme_RegisteredProfile')) return imethod(q, paths([host]));
  if (is('GetInstance', 'Acme_HostSystem')) return imethod(q, instanceXml(host));
  if (is('EnumerateInstances', 'CIM_ComputerSystem')) return imethod(q, named([host, vm()]));
  if (is('EnumerateInstances', 'CIM_ElementCapabilities'))
    return imethod(
      q,
      named([
        {
          className: 'Acme_ElementCapabilities',
          keys: {},
          props: { ManagedElement: { ref: vm() }, Capabilities: { ref: caps } },
          namespace: NS,
        },
      ]),
    );
  if (is('EnumerateInstances', 'CIM_EnabledLogicalElementCapabilities')) return imethod(q, named([caps]));
  if (is('RequestStateChange')) {
    const requested = Number(/<VALUE>(\d+)<\/VALUE>/.exec(q.body)?.[1]);
    if (requested === 4) {
      jobState = 4; // running, and it stays so: this host lets the guest take its time
      return method(
        q,
        4096,
        `<PARAMVALUE NAME="Job" PARAMTYPE="reference"><VALUE.REFERENCE>${instancePath(job())}</VALUE.REFERENCE></PARAMVALUE>`,
      );
    }
    if (requested === 3) {
      [enabled, jobState] = [3, 8]; // off; the shutdown job terminated
      return method(q, 0);
    }
  }
  if (is('GetInstance', 'Acme_ConcreteJob')) return imethod(q, instanceXml(job()));
  if (is('EnumerateInstances', 'CIM_ConcreteJob')) return imethod(q, named([job()]));
  return imethod(q, errorXml(7, `CIM_ERR_NOT_SUPPORTED: ${q.method} ${q.className ?? ''}`));
}

let peer: FakeCimom;
let api: CimXmlApi;
beforeAll(async () => {
  peer = await startFakeCimom((q, res) => reply(res, answer(q)));
  api = await CimXmlApi.connect({ url: peer.url, user: 'root', password: 'x', timeoutMs: 5000 });
});
afterAll(async () => {
  await api?.close();
  await peer?.close();
});

describe('a forced shutdown on a host whose shutdown job outlasts the TimeoutPeriod', () => {
  it('powers off a grace after the time, and says so', async () => {
    const job = await api.systems.changeState('slow1', 'shutdown', {
      timeoutMs: 100,
      waitMs: Number.POSITIVE_INFINITY,
    });
    expect(job.state, job.error?.message).toBe('completed');
    expect(job.result?.state).toBe('stopped');
    expect(job.result?.reason).toEqual({
      code: 'forced-after-timeout',
      text: 'powered off: the guest did not shut down within 100 ms',
    });
    const asked = peer.requests
      .filter((r) => r.method === 'RequestStateChange')
      .map((r) => /<VALUE>(\d+)<\/VALUE>/.exec(r.body)?.[1]);
    expect(asked).toEqual(['4', '3']);
    const shutdown = peer.requests.find((r) => r.method === 'RequestStateChange')!;
    expect(shutdown.body).toContain('TimeoutPeriod');
    expect(shutdown.body).toContain('00000000000000.100000:000');
    // It waited for the host's job a grace after the time, polling it.
    expect(
      peer.requests.filter((r) => r.method === 'GetInstance' && r.className === 'Acme_ConcreteJob').length,
    ).toBeGreaterThan(1);
  }, 30_000);
});
