import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../cimxml/index.js';

// A real external client: Debian's python3-winrm 0.3.0, its own SOAP headers (unprefixed mustUnderstand, a:To
// naming "windows-host", MaxEnvelopeSize 153600, OperationTimeout PT20S, Locale/DataLocale) and its own transport.

const run = promisify(execFile);
const DRIVER = join(import.meta.dirname, '../../../test/fixtures/wsman/pywinrm_client.py');
let h: TestHost;

beforeAll(async () => {
  h = await startTestHost({ vms: 3, wsman: true, https: true });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function pywinrm(op: string, url = h.wsmanUrl!): Promise<Record<string, unknown>> {
  // /usr/bin/python3 explicitly: Debian's interpreter, which has python3-winrm.
  // requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override pywinrm's server_cert_validation="ignore".
  const env = { ...process.env };
  delete env.REQUESTS_CA_BUNDLE;
  delete env.CURL_CA_BUNDLE;
  const r = await run('/usr/bin/python3', [DRIVER, url, 'admin', 'secret', op], { timeout: 30_000, env });
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('python3-winrm transport against vessel host serve --wsman-http', () => {
  it('Enumerate, then Pull one item at a time to EndOfSequence: the host and every system', async () => {
    const r = await pywinrm('enumerate');
    expect(r.names).toEqual(['testhost', 'vm1', 'vm2', 'vm3']);
    expect(r.pulls).toBe(4);
  });

  it('Get answers the system', async () => {
    const r = await pywinrm('get');
    expect(r.elementName).toBe('vm1');
  });

  it('Get over HTTPS, with the certificate the CIM-XML listener uses', async () => {
    expect(h.wsmanHttpsUrl).toMatch(/^https:/);
    const r = await pywinrm('get', h.wsmanHttpsUrl!);
    expect(r.elementName).toBe('vm1');
  });

  it('Enumerate and Pull of CIM_BaseMetricValue (DSP1053): the values of the running system and of the host', async () => {
    await h.api.systems.changeState('vm1', 'start', { waitMs: Number.POSITIVE_INFINITY });
    await h.host.metrics.sample();
    const r = await pywinrm('metrics');
    const values = new Map(r.values as Array<[string, string]>);
    expect(Number(values.get('Vessel:Metric:SystemCPUTime/vm1'))).toBeGreaterThanOrEqual(0);
    expect(Number(values.get('Vessel:Metric:HostMemoryTotal/testhost'))).toBeGreaterThan(0);
    // The stopped one has its defined vCPUs and memory only.
    expect([...values.keys()].filter((k) => k.includes('/vm3')).sort()).toEqual([
      'Vessel:Metric:SystemMemoryDefined/vm3',
      'Vessel:Metric:SystemVirtualProcessors/vm3',
    ]);
  });

  it('OperationTimeout PT1S on a slow shutdown: pywinrm gets the job (4096) in time, and the guest stops', async () => {
    await h.api.systems.changeState('vm3', 'start', { waitMs: Number.POSITIVE_INFINITY });
    // The simulated guest takes 3 s to power off after the ACPI button (the test driver's knob, for this test).
    const driver = h.driver as unknown as { shutdownDelayMs: number };
    const before = driver.shutdownDelayMs;
    driver.shutdownDelayMs = 3000;
    try {
      const r = await pywinrm('shutdown-short');
      expect(r.xml).toMatch(/<p:ReturnValue>4096<\/p:ReturnValue>/);
      await expect.poll(() => h.host.get('vm3').state, { timeout: 10_000 }).toBe('stopped');
    } finally {
      driver.shutdownDelayMs = before;
    }
  });

  it('Invoke RequestStateChange starts vm2', async () => {
    const r = await pywinrm('invoke');
    expect(r.xml).toMatch(/<p:ReturnValue>0<\/p:ReturnValue>/);
    expect(h.host.get('vm2').state).toBe('running');
  });

  it('a Get of a missing system comes back to pywinrm as a fault it reads (Sender, DestinationUnreachable)', async () => {
    const r = await pywinrm('missing');
    expect(r.error).toBe('WinRMError');
    expect(String(r.message)).toContain('No instance');
    expect(String(r.message)).toContain("'http_status_code': 400");
    expect(String(r.message)).toContain("'fault_subcode': 'wsa:DestinationUnreachable'");
  });
});
