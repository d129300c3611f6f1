import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wbemcli } from '../../../test/helpers/wbemcli.js';
import { startTestHost, type TestHost } from './test-host.js';

// DSP1053 Base Metrics through real clients: Debian's sblim-wbemcli over CIM-XML and a raw WS-Man Enumerate, against
// a live host on the test driver whose sampler has sampled two running systems.

let h: TestHost;
let base: string;

const cs = (name: string) => `Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="${name}"`;
const cpuOf = (name: string) => `Vessel_BaseMetricValue.InstanceID="Vessel:Metric:SystemCPUTime/${name}"`;

beforeAll(async () => {
  h = await startTestHost({ vms: 3, wsman: true });
  base = `${h.url.replace('http://', 'http://admin:secret@')}/root/virtualization`;
  for (const vm of ['vm1', 'vm2'])
    await h.api.systems.changeState(vm, 'start', { waitMs: Number.POSITIVE_INFINITY });
  await new Promise((r) => setTimeout(r, 20));
  await h.host.metrics.sample();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('Base Metrics with sblim wbemcli', () => {
  it('ei: enumerates the definitions with their DMTF properties', async () => {
    const r = await wbemcli('-nl', 'ei', `${base}:CIM_BaseMetricDefinition`);
    expect(r.code, r.out).toBe(0);
    expect(r.out.match(/^\S*Vessel_BaseMetricDefinition\.Id=/gm)).toHaveLength(20);
    expect(r.out).toContain('-Id="Vessel:Metric:SystemCPUTime"');
    expect(r.out).toMatch(/-ProgrammaticUnits="second"/);
    expect(r.out).toMatch(/-BreakdownDimensions="Device"/);
  });

  it("ei: enumerates the values of the running systems and of the host, the stopped one's definition only", async () => {
    const r = await wbemcli('-nl', 'ei', `${base}:CIM_BaseMetricValue`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('-InstanceID="Vessel:Metric:SystemCPUTime/vm1"');
    expect(r.out).toContain('-InstanceID="Vessel:Metric:SystemCPUTime/vm2"');
    // The stopped one has its defined vCPUs and memory only.
    expect(r.out.match(/^-InstanceID="Vessel:Metric:\w+\/vm3"/gm)?.sort()).toEqual([
      '-InstanceID="Vessel:Metric:SystemMemoryDefined/vm3"',
      '-InstanceID="Vessel:Metric:SystemVirtualProcessors/vm3"',
    ]);
    expect(r.out).toContain('-InstanceID="Vessel:Metric:HostMemoryTotal/testhost"');
    expect(r.out).toMatch(/-BreakdownDimension="Device"/);
  });

  it('ai: follows MetricForME from a virtual system to its values, and gi reads one', async () => {
    const r = await wbemcli('-nl', 'ai', '-ac', 'CIM_MetricForME', `${base}:${cs('vm1')}`);
    expect(r.code, r.out).toBe(0);
    const ids = [...r.out.matchAll(/-InstanceID="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toContain('Vessel:Metric:SystemCPUTime/vm1');
    expect(ids.filter((i) => i?.startsWith('Vessel:Metric:Disk'))).toHaveLength(4);
    expect(ids.every((i) => i?.includes('/vm1'))).toBe(true);
    const one = await wbemcli('-nl', 'gi', `${base}:${cpuOf('vm1')}`);
    expect(one.code, one.out).toBe(0);
    expect(one.out).toMatch(/-MetricValue="[0-9.e+-]+"/);
  });

  it('ain: MetricInstance from a definition names the values of each running system', async () => {
    const r = await wbemcli(
      'ain',
      '-ac',
      'CIM_MetricInstance',
      `${base}:Vessel_BaseMetricDefinition.Id="Vessel:Metric:SystemCPUTime"`,
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out.match(/Vessel_BaseMetricValue\.InstanceID=/g)).toHaveLength(2);
  });

  it('gi: a malformed InstanceID and a value of an undefined system are CIM_ERR_NOT_FOUND (6)', async () => {
    for (const path of [
      cpuOf('ghost'),
      'Vessel_BaseMetricValue.InstanceID="Vessel:Metric:SystemCPUTime"',
      'Vessel_BaseMetricValue.InstanceID="../../etc/passwd"',
      `Vessel_BaseMetricValue.InstanceID="Vessel:Metric:DiskReadBytes/vm1/${'x'.repeat(4000)}"`,
    ]) {
      const r = await wbemcli('gi', `${base}:${path}`);
      expect(r.code, r.out).not.toBe(0);
      expect(r.out).toMatch(/CIM_ERR_NOT_FOUND|\(6\)/);
    }
  });
});

describe('Base Metrics over WS-Man', () => {
  it('Enumerate of CIM_BaseMetricValue answers the same values as CIM-XML', async () => {
    const body = '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>1000</w:MaxElements></n:Enumerate>';
    const xml = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><s:Header><a:To>http://127.0.0.1/wsman</a:To><a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action><a:MessageID>uuid:7</a:MessageID><w:ResourceURI s:mustUnderstand="true">http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_BaseMetricValue</w:ResourceURI></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
    const r = await fetch(h.wsmanUrl!, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}`,
        'content-type': 'application/soap+xml;charset=UTF-8',
      },
      body: xml,
    });
    const text = await r.text();
    expect(r.status, text).toBe(200);
    expect(text).toContain('<wsman:EndOfSequence/>');
    const ids = [...text.matchAll(/<p:InstanceID>([^<]+)<\/p:InstanceID>/g)].map((m) => m[1]).sort();
    const cim = await wbemcli('ein', `${base}:CIM_BaseMetricValue`);
    const viaCim = [...cim.out.matchAll(/InstanceID="([^"]+)"/g)].map((m) => m[1]).sort();
    expect(ids.length).toBeGreaterThan(10);
    expect(ids).toEqual(viaCim);
    expect(text).toMatch(/<p:MetricValue>[0-9.e+-]+<\/p:MetricValue>/);
  });
});
