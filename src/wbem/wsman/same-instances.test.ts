import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CimInstance,
  type CimInstanceName,
  type CimValue,
  createClassRepository,
  INTEROP_NAMESPACE,
  isInstanceName,
  newContext,
  VIRT_NAMESPACE,
} from '../../cim/index.js';
import { childElements, getAttr, parseXml, textContent, type XmlElement } from '../../xml/index.js';
import { CimClient, startTestHost, type TestHost } from '../cimxml/index.js';

// Both encodings of one host answer the same instances: each main class of the profiles enumerated over CIM-XML
// (the client of src/wbem/cimxml) and over WS-Man (EnumerateObjectAndEPR), compared value by value, and both
// against what the object manager itself answers.

const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const WSA = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
const WSMAN = 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd';
const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;

let h: TestHost;
let cimxml: CimClient;
beforeAll(async () => {
  h = await startTestHost({ vms: 3, wsman: true });
  cimxml = new CimClient(h.url, { user: 'admin', password: 'secret' });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** A value as a list of comparable strings: text as it is, references as their sorted `key=value` selectors. */
function flat(v: CimValue | undefined): string[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) =>
    typeof x === 'string' ? x : isInstanceName(x) ? refText(x) : `instance of ${x.className}`,
  );
}

function refText(x: CimInstanceName): string {
  const keys = Object.entries(x.keys)
    .map(([k, kv]) => `${k}=${typeof kv === 'string' ? kv : `(${refText(kv)})`}`)
    .sort();
  return `${x.className}:${keys.join(',')}`;
}

function eprText(el: XmlElement): string {
  const params = childElements(el, WSA, 'ReferenceParameters')[0]!;
  const cls = textContent(childElements(params, WSMAN, 'ResourceURI')[0]!).slice(CIM.length);
  const sels = childElements(childElements(params, WSMAN, 'SelectorSet')[0]!, WSMAN, 'Selector')
    .filter((s) => getAttr(s, '', 'Name') !== '__cimnamespace')
    .map((s) => {
      const inner = childElements(s, WSA, 'EndpointReference')[0];
      return `${getAttr(s, '', 'Name')}=${inner ? `(${eprText(inner)})` : textContent(s)}`;
    })
    .sort();
  return `${cls}:${sels.join(',')}`;
}

/** The WS-Man instance element as property name -> comparable strings. */
function fromWsman(el: XmlElement): { className: string; props: Map<string, string[]> } {
  const props = new Map<string, string[]>();
  for (const p of childElements(el)) {
    const list = props.get(p.local) ?? [];
    if (getAttr(p, XSI, 'nil') !== 'true') {
      const inner = childElements(p)[0];
      list.push(inner?.local === 'Address' ? eprText(p) : inner ? textContent(inner) : textContent(p));
    }
    props.set(p.local, list);
  }
  return { className: el.local, props };
}

async function wsmanEnumerate(cls: string, ns: string): Promise<XmlElement[]> {
  const body = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="${WSA}" xmlns:w="${WSMAN}" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action><a:MessageID>uuid:1</a:MessageID><w:ResourceURI>${CIM}${cls}</w:ResourceURI><w:SelectorSet><w:Selector Name="__cimnamespace">${ns}</w:Selector></w:SelectorSet></s:Header><s:Body><n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>10000</w:MaxElements><w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode></n:Enumerate></s:Body></s:Envelope>`;
  const r = await fetch(h.wsmanUrl!, { method: 'POST', headers: { authorization: AUTH }, body });
  expect(r.status).toBe(200);
  const root = parseXml(await r.text()).root;
  const bodyEl = childElements(root).find((b) => b.local === 'Body')!;
  const enumResp = childElements(bodyEl)[0]!;
  const list = childElements(enumResp).find((c) => c.local === 'Items')!;
  expect(enumResp.children.some((c) => c.type === 'element' && c.local === 'EndOfSequence')).toBe(true);
  return childElements(list).map((item) => childElements(item)[0]!);
}

function compare(a: CimInstance, b: { className: string; props: Map<string, string[]> }): void {
  expect(b.className).toBe(a.className);
  for (const [k, v] of Object.entries(a.properties)) {
    // What may change between two reads on its own: the host's clock-derived datetimes, the bytes used on the
    // file system a storage pool lies on.
    if (k === 'TimeOfLastStateChange' || k === 'Reserved' || k === 'CurrentlyConsumedResource') continue;
    expect([k, b.props.get(k) ?? []]).toEqual([k, flat(v)]);
  }
}

const key = (i: CimInstance) => JSON.stringify(flat(i.path));

describe('the same instances over CIM-XML and WS-Man', () => {
  it.each([
    ['CIM_ComputerSystem', 'root/virtualization'],
    ['CIM_VirtualSystemSettingData', 'root/virtualization'],
    ['CIM_ResourceAllocationSettingData', 'root/virtualization'],
    ['CIM_VirtualSystemManagementService', 'root/virtualization'],
    ['CIM_VirtualSystemManagementCapabilities', 'root/virtualization'],
    ['CIM_EnabledLogicalElementCapabilities', 'root/virtualization'],
    ['CIM_ResourcePool', 'root/virtualization'],
    ['CIM_SettingsDefineState', 'root/virtualization'],
    ['CIM_RegisteredProfile', 'root/interop'],
  ])('%s in %s', async (cls, ns) => {
    const viaCim = await cimxml.enumerateInstances(cls, { namespace: ns });
    const viaOm = await h.endpoint.service.om.enumerateInstances(newContext('admin', 'admin'), ns, cls);
    const viaWsman = (await wsmanEnumerate(cls, ns)).map(fromWsman);
    expect(viaCim.length).toBeGreaterThan(0);
    expect(viaWsman.length).toBe(viaCim.length);
    expect(viaOm.length).toBe(viaCim.length);
    const byKey = new Map(viaCim.map((i) => [key(i), i]));
    for (const [n, w] of viaWsman.entries()) {
      const om = viaOm[n]!;
      const c = byKey.get(key(om));
      expect(c, `${cls} ${key(om)} over CIM-XML`).toBeDefined();
      compare(c!, w);
      compare(om, w);
    }
  });
});

describe.each([VIRT_NAMESPACE, INTEROP_NAMESPACE])('every Vessel class in %s', (ns) => {
  it('Enumerate over WS-Man answers what EnumerateInstances over CIM-XML answers, class by class', async () => {
    const classes = createClassRepository()
      .namespace(ns)
      .all()
      .filter((cl) => cl.name.startsWith('Vessel_'));
    let total = 0;
    for (const cl of classes) {
      const viaCim = await cimxml.enumerateInstances(cl.name, { namespace: ns });
      const viaWsman = (await wsmanEnumerate(cl.name, ns)).map(fromWsman);
      expect(viaWsman.length, cl.name).toBe(viaCim.length);
      for (const [n, c] of viaCim.entries()) compare(c, viaWsman[n]!);
      total += viaCim.length;
    }
    expect(total).toBeGreaterThan(ns === VIRT_NAMESPACE ? 100 : 20);
  });
});
