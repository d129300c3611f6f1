import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CimClient, startTestHost, type TestHost } from '../cimxml/index.js';

// WS-Man protocol behaviour against a live host: headers, resource URIs, filters, enumeration modes and contexts,
// WS-Transfer, faults. Requests are built here (see replay.test.ts for real clients' bytes).

const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
const WSEN = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration';
const WXF = 'http://schemas.xmlsoap.org/ws/2004/09/transfer';
const ADMIN = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const READER = `Basic ${Buffer.from('rita:r3ad').toString('base64')}`;

let h: TestHost;
beforeAll(async () => {
  h = await startTestHost({
    vms: 3,
    wsman: true,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

interface Soap {
  action?: string;
  uri?: string;
  selectors?: Record<string, string> | undefined;
  headers?: string;
  body?: string;
  messageId?: string | null;
}

function soap(o: Soap): string {
  const sel = Object.entries(o.selectors ?? {})
    .map(([k, v]) => `<w:Selector Name="${k}">${v}</w:Selector>`)
    .join('');
  const mid = o.messageId === null ? '' : `<a:MessageID>${o.messageId ?? 'uuid:1-2-3'}</a:MessageID>`;
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="${WSEN}" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"><s:Header><a:To>http://elsewhere:5985/wsman</a:To>${o.action ? `<a:Action s:mustUnderstand="true">${o.action}</a:Action>` : ''}${mid}${o.uri ? `<w:ResourceURI s:mustUnderstand="true">${o.uri}</w:ResourceURI>` : ''}${sel ? `<w:SelectorSet>${sel}</w:SelectorSet>` : ''}${o.headers ?? ''}</s:Header><s:Body>${o.body ?? ''}</s:Body></s:Envelope>`;
}

async function post(xml: string, auth = ADMIN, path = '/wsman'): Promise<{ status: number; text: string }> {
  const r = await fetch(h.wsmanUrl!.replace('/wsman', path), {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/soap+xml;charset=UTF-8' },
    body: xml,
  });
  return { status: r.status, text: await r.text() };
}

const subcode = (text: string) =>
  /<s:Subcode><s:Value>([^<]+)</.exec(text)?.[1] ?? /<s:Code><s:Value>([^<]+)</.exec(text)?.[1];
const vm = (name: string) => ({
  __cimnamespace: 'root/virtualization',
  CreationClassName: 'Vessel_ComputerSystem',
  Name: name,
});
const enumerate = (inner: string, uri = `${CIM}Vessel_ComputerSystem`, selectors?: Record<string, string>) =>
  post(soap({ action: `${WSEN}/Enumerate`, uri, selectors, body: `<n:Enumerate>${inner}</n:Enumerate>` }));
const names = (text: string) => [...text.matchAll(/<p:Name>([^<]+)<\/p:Name>/g)].map((m) => m[1]);

describe('HTTP and envelopes', () => {
  it('answers at /wsman/ too, 401 with a Basic challenge without credentials, 405 for GET', async () => {
    expect(
      (
        await post(
          soap({ action: `${WXF}/Get`, uri: `${CIM}Vessel_ComputerSystem`, selectors: vm('vm1') }),
          ADMIN,
          '/wsman/',
        )
      ).status,
    ).toBe(200);
    const r = await fetch(h.wsmanUrl!, { method: 'POST', body: 'x' });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="Vessel WS-Man"');
    expect((await fetch(h.wsmanUrl!, { headers: { authorization: ADMIN } })).status).toBe(405);
  });

  it('a SOAP 1.1 envelope is s:VersionMismatch (400); a missing Action is MessageInformationHeaderRequired', async () => {
    const v = await post(
      '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>',
    );
    expect([v.status, subcode(v.text)]).toEqual([400, 's:VersionMismatch']);
    const a = await post(soap({ uri: `${CIM}Vessel_ComputerSystem`, body: '<x/>' }));
    expect([a.status, subcode(a.text)]).toEqual([400, 'wsa:MessageInformationHeaderRequired']);
    const m = await post(
      soap({
        action: `${WXF}/Get`,
        uri: `${CIM}Vessel_ComputerSystem`,
        selectors: vm('vm1'),
        messageId: null,
      }),
    );
    expect(subcode(m.text)).toBe('wsa:MessageInformationHeaderRequired');
  });

  it('an unknown header with mustUnderstand is s:MustUnderstand; without it, ignored; FragmentTransfer is UnsupportedFeature', async () => {
    const get = (headers: string) =>
      post(soap({ action: `${WXF}/Get`, uri: `${CIM}Vessel_ComputerSystem`, selectors: vm('vm1'), headers }));
    expect(subcode((await get('<x:Odd xmlns:x="urn:x" s:mustUnderstand="true"/>')).text)).toBe(
      's:MustUnderstand',
    );
    expect(subcode((await get('<x:Odd xmlns:x="urn:x" mustUnderstand="1"/>')).text)).toBe('s:MustUnderstand');
    expect(
      (await get('<x:Odd xmlns:x="urn:x"/><w:Locale xml:lang="de-DE" s:mustUnderstand="false"/>')).status,
    ).toBe(200);
    expect(
      subcode((await get('<w:FragmentTransfer s:mustUnderstand="true">Name</w:FragmentTransfer>')).text),
    ).toBe('wsman:UnsupportedFeature');
  });

  it('OptionSet: unknown options are ignored unless MustComply; msftwinrm:UsePreciseArrays is accepted', async () => {
    const get = (opt: string) =>
      post(
        soap({
          action: `${WXF}/Get`,
          uri: `${CIM}Vessel_ComputerSystem`,
          selectors: vm('vm1'),
          headers: `<w:OptionSet s:mustUnderstand="true">${opt}</w:OptionSet>`,
        }),
      );
    expect((await get('<w:Option Name="odd">1</w:Option>')).status).toBe(200);
    expect(
      (await get('<w:Option Name="msftwinrm:UsePreciseArrays" MustComply="true">TRUE</w:Option>')).status,
    ).toBe(200);
    expect(subcode((await get('<w:Option Name="odd" MustComply="true">1</w:Option>')).text)).toBe(
      'wsman:InvalidOptions',
    );
  });

  it('MaxEnvelopeSize: under 8192, or an answer that does not fit, is wsman:EncodingLimit', async () => {
    const get = (size: number) =>
      post(
        soap({
          action: `${WXF}/Get`,
          uri: `${CIM}Vessel_ComputerSystem`,
          selectors: vm('vm1'),
          headers: `<w:MaxEnvelopeSize s:mustUnderstand="true">${size}</w:MaxEnvelopeSize>`,
        }),
      );
    expect(subcode((await get(512)).text)).toBe('wsman:EncodingLimit');
    expect((await get(153600)).status).toBe(200);
  });

  it('Pull hands out only the items that fit MaxEnvelopeSize, and the rest on later Pulls', async () => {
    const rasd = `${CIM}CIM_ResourceAllocationSettingData`;
    const all = await enumerate('<w:OptimizeEnumeration/><w:MaxElements>1000</w:MaxElements>', rasd);
    const ids = (text: string) =>
      [...text.matchAll(/<p:InstanceID>([^<]+)<\/p:InstanceID>/g)].map((m) => m[1]);
    const e = await enumerate('', rasd);
    let ctx: string | undefined = /<wsen:EnumerationContext>([^<]+)</.exec(e.text)?.[1];
    const seen: string[] = [];
    let pulls = 0;
    while (ctx) {
      const p = await post(
        soap({
          action: `${WSEN}/Pull`,
          headers: '<w:MaxEnvelopeSize>8192</w:MaxEnvelopeSize>',
          body: `<n:Pull><n:EnumerationContext>${ctx}</n:EnumerationContext><n:MaxElements>100</n:MaxElements></n:Pull>`,
        }),
      );
      expect(p.status).toBe(200);
      expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(8192);
      seen.push(...(ids(p.text) as string[]));
      pulls++;
      ctx = p.text.includes('<wsen:EndOfSequence/>')
        ? undefined
        : /<wsen:EnumerationContext>([^<]+)</.exec(p.text)?.[1];
    }
    expect(seen).toEqual(ids(all.text));
    expect(seen.length).toBeGreaterThan(6);
    expect(pulls).toBeGreaterThan(1);
  });
});

describe('resource URIs and selectors', () => {
  it('the WMI form names the namespace in the URI; a __cimnamespace that disagrees is wsman:InvalidSelectors', async () => {
    const wmi = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/Vessel_ComputerSystem';
    const ok = await post(
      soap({
        action: `${WXF}/Get`,
        uri: wmi,
        selectors: { CreationClassName: 'Vessel_ComputerSystem', Name: 'vm1' },
      }),
    );
    expect(ok.status).toBe(200);
    expect(ok.text).toContain(`xmlns:p="${wmi}"`);
    const bad = await post(
      soap({ action: `${WXF}/Get`, uri: wmi, selectors: { ...vm('vm1'), __cimnamespace: 'root/interop' } }),
    );
    expect([bad.status, subcode(bad.text)]).toEqual([400, 'wsman:InvalidSelectors']);
  });

  it('missing, unknown and duplicate selectors, unknown classes and namespaces are faults, not crashes', async () => {
    const get = (uri: string, selectors: Record<string, string>) =>
      post(soap({ action: `${WXF}/Get`, uri, selectors }));
    const missing = await get(`${CIM}Vessel_ComputerSystem`, { Name: 'vm1' });
    expect(missing.text).toContain('faultDetail/InsufficientSelectors');
    const extra = await get(`${CIM}Vessel_ComputerSystem`, { ...vm('vm1'), Color: 'red' });
    expect(extra.text).toContain('faultDetail/UnexpectedSelectors');
    const dup = await post(
      soap({ action: `${WXF}/Get`, uri: `${CIM}Vessel_ComputerSystem`, headers: '' }).replace(
        '<s:Body>',
        '<s:Body>',
      ),
    );
    expect(dup.status).toBe(400);
    const twice = await post(
      soap({
        action: `${WXF}/Get`,
        uri: `${CIM}Vessel_ComputerSystem`,
        headers:
          '<w:SelectorSet><w:Selector Name="Name">a</w:Selector><w:Selector Name="name">b</w:Selector></w:SelectorSet>',
      }),
    );
    expect(twice.text).toContain('faultDetail/DuplicateSelectors');
    const cls = await get(`${CIM}No_Such_Class`, {});
    expect([cls.status, subcode(cls.text)]).toEqual([400, 'wsa:DestinationUnreachable']);
    const ns = await get(`${CIM}Vessel_ComputerSystem`, { ...vm('vm1'), __cimnamespace: 'root/nowhere' });
    expect(ns.text).toContain('faultDetail/InvalidResourceURI');
    const other = await get('http://example.com/x', {});
    expect(subcode(other.text)).toBe('wsa:DestinationUnreachable');
  });
});

describe('Enumerate, Pull, Release', () => {
  it('EnumerateObjectAndEPR answers each instance with its EPR; EnumerateEPR only EPRs', async () => {
    const both = await enumerate(
      '<w:OptimizeEnumeration/><w:MaxElements>10</w:MaxElements><w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode>',
    );
    expect(both.text.match(/<wsman:Item><p:Vessel_ComputerSystem /g)).toHaveLength(3);
    expect(both.text.match(/<\/p:Vessel_ComputerSystem><wsa:EndpointReference>/g)).toHaveLength(3);
    const epr = await enumerate(
      '<w:OptimizeEnumeration/><w:MaxElements>10</w:MaxElements><w:EnumerationMode>EnumerateEPR</w:EnumerationMode>',
    );
    expect(epr.text.match(/<wsa:EndpointReference>/g)).toHaveLength(3);
    expect(epr.text).not.toContain('<p:Vessel_ComputerSystem');
  });

  it('RequestTotalItemsCountEstimate: Enumerate answers the total, Pull what remains', async () => {
    const e = await post(
      soap({
        action: `${WSEN}/Enumerate`,
        uri: `${CIM}Vessel_ComputerSystem`,
        headers: '<w:RequestTotalItemsCountEstimate s:mustUnderstand="true"/>',
        body: '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>1</w:MaxElements></n:Enumerate>',
      }),
    );
    expect(e.text).toContain('<wsman:TotalItemsCountEstimate>3</wsman:TotalItemsCountEstimate></s:Header>');
    const ctx = /<wsen:EnumerationContext>([^<]+)</.exec(e.text)![1]!;
    const p = await post(
      soap({
        action: `${WSEN}/Pull`,
        headers: '<w:RequestTotalItemsCountEstimate/>',
        body: `<n:Pull><n:EnumerationContext>${ctx}</n:EnumerationContext></n:Pull>`,
      }),
    );
    expect(p.text).toContain('<wsman:TotalItemsCountEstimate>1</wsman:TotalItemsCountEstimate>');
    const plain = await enumerate('<w:OptimizeEnumeration/>');
    expect(plain.text).not.toContain('TotalItemsCountEstimate');
  });

  it('MaxElements 1 optimised, then Pull and Release: the context is gone after Release', async () => {
    const e = await enumerate('<w:OptimizeEnumeration/><w:MaxElements>1</w:MaxElements>');
    expect(names(e.text)).toEqual(['vm1']);
    const ctx = /<wsen:EnumerationContext>([^<]+)</.exec(e.text)![1]!;
    const pull = (c: string, auth = ADMIN) =>
      post(
        soap({
          action: `${WSEN}/Pull`,
          body: `<n:Pull><n:EnumerationContext>${c}</n:EnumerationContext><n:MaxElements>1</n:MaxElements></n:Pull>`,
        }),
        auth,
      );
    expect(names((await pull(ctx)).text)).toEqual(['vm2']);
    // Another user cannot pull it.
    const stolen = await pull(ctx, READER);
    expect([stolen.status, subcode(stolen.text)]).toEqual([500, 'wsen:InvalidEnumerationContext']);
    const rel = await post(
      soap({
        action: `${WSEN}/Release`,
        body: `<n:Release><n:EnumerationContext>${ctx}</n:EnumerationContext></n:Release>`,
      }),
    );
    expect(rel.status).toBe(200);
    expect(rel.text).toContain('enumeration/ReleaseResponse');
    expect(subcode((await pull(ctx)).text)).toBe('wsen:InvalidEnumerationContext');
  });

  it('Expires bounds a context (a duration over the limit is wsen:InvalidExpirationTime)', async () => {
    const long = await enumerate('<n:Expires>PT100000S</n:Expires>');
    expect(subcode(long.text)).toBe('wsen:InvalidExpirationTime');
    const e = await enumerate('<n:Expires>PT1S</n:Expires>');
    const ctx = /<wsen:EnumerationContext>([^<]+)</.exec(e.text)![1]!;
    await new Promise((r) => setTimeout(r, 1100));
    const p = await post(
      soap({
        action: `${WSEN}/Pull`,
        body: `<n:Pull><n:EnumerationContext>${ctx}</n:EnumerationContext></n:Pull>`,
      }),
    );
    expect(subcode(p.text)).toBe('wsen:InvalidEnumerationContext');
  });

  it('SelectorFilter, WQL and CQL filters; a bad query is wsen:CannotProcessFilter; another dialect FilterDialectRequestedUnavailable', async () => {
    const opt = '<w:OptimizeEnumeration/><w:MaxElements>50</w:MaxElements>';
    const sel = await enumerate(
      `${opt}<w:Filter Dialect="http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"><w:SelectorSet><w:Selector Name="Name">vm3</w:Selector></w:SelectorSet></w:Filter>`,
    );
    expect(names(sel.text)).toEqual(['vm3']);
    const wql = await enumerate(
      `${opt}<w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">SELECT Name FROM Vessel_ComputerSystem WHERE Name = 'vm2'</w:Filter>`,
      'http://schemas.dmtf.org/wbem/wscim/1/*',
      { __cimnamespace: 'root/virtualization' },
    );
    expect(names(wql.text)).toEqual(['vm2']);
    // Only the selected property is written.
    expect(wql.text).not.toContain('<p:ElementName>');
    const cql = await enumerate(
      `${opt}<w:Filter Dialect="http://schemas.dmtf.org/wbem/cql/1/dsp0202.pdf">SELECT * FROM CIM_ComputerSystem WHERE Name &lt;&gt; 'vm1' AND Name &lt;&gt; 'testhost'</w:Filter>`,
    );
    expect(names(cql.text).sort()).toEqual(['vm2', 'vm3']);
    const bad = await enumerate(
      `${opt}<w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">SELECT FROM</w:Filter>`,
    );
    expect([bad.status, subcode(bad.text)]).toEqual([400, 'wsen:CannotProcessFilter']);
    expect(bad.text).toContain('<p:CIMStatusCode>15</p:CIMStatusCode>');
    const xpath = await enumerate(
      `${opt}<w:Filter Dialect="http://www.w3.org/TR/1999/REC-xpath-19991116">/</w:Filter>`,
    );
    expect(subcode(xpath.text)).toBe('wsen:FilterDialectRequestedUnavailable');
    const star = await enumerate(opt, 'http://schemas.dmtf.org/wbem/wscim/1/*');
    expect(star.text).toContain('faultDetail/FilteringRequired');
  });

  it('the DSP0227 association filter: AssociatedInstances with ResultClassName, AssociationInstances with Role', async () => {
    const epr = `<a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address><a:ReferenceParameters><w:ResourceURI>${CIM}Vessel_ComputerSystem</w:ResourceURI><w:SelectorSet><w:Selector Name="__cimnamespace">root/virtualization</w:Selector><w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm1</w:Selector></w:SelectorSet></a:ReferenceParameters>`;
    const opt = '<w:OptimizeEnumeration/><w:MaxElements>100</w:MaxElements>';
    const dialect = 'http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter';
    const assoc = await enumerate(
      `${opt}<w:Filter Dialect="${dialect}"><b:AssociatedInstances><b:Object>${epr}</b:Object><b:AssociationClassName>CIM_SettingsDefineState</b:AssociationClassName><b:ResultClassName>CIM_VirtualSystemSettingData</b:ResultClassName></b:AssociatedInstances></w:Filter>`,
      'http://schemas.dmtf.org/wbem/wscim/1/*',
      { __cimnamespace: 'root/virtualization' },
    );
    expect(assoc.status).toBe(200);
    expect(assoc.text).toMatch(/<p:Vessel_VirtualSystemSettingData [^>]*>/);
    expect(assoc.text).toContain('<p:ElementName>vm1</p:ElementName>');
    const refs = await enumerate(
      `${opt}<w:Filter Dialect="${dialect}"><b:AssociationInstances><b:Object>${epr}</b:Object><b:ResultClassName>CIM_SettingsDefineState</b:ResultClassName><b:Role>ManagedElement</b:Role></b:AssociationInstances></w:Filter>`,
      'http://schemas.dmtf.org/wbem/wscim/1/*',
      { __cimnamespace: 'root/virtualization' },
    );
    expect(refs.status).toBe(200);
    expect(refs.text).toMatch(/<p:ManagedElement><wsa:Address>/);
  });

  it('WQL ASSOCIATORS OF with the WMI "*" URI (as libvirt`s Hyper-V driver asks for settings)', async () => {
    const r = await enumerate(
      `<w:OptimizeEnumeration/><w:MaxElements>100</w:MaxElements><w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">ASSOCIATORS OF {Vessel_ComputerSystem.CreationClassName='Vessel_ComputerSystem',Name='vm2'} WHERE AssocClass = CIM_SettingsDefineState ResultClass = CIM_VirtualSystemSettingData</w:Filter>`,
      'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/*',
    );
    expect(r.status).toBe(200);
    expect(r.text.match(/<p:Vessel_VirtualSystemSettingData /g)).toHaveLength(1);
    expect(r.text).toContain('<p:ElementName>vm2</p:ElementName>');
    expect(r.text).toContain(
      'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/Vessel_VirtualSystemSettingData"',
    );
  });

  it('contexts are bounded per user as the CIM-XML pull contexts are (wsman:QuotaLimit)', async () => {
    const opened: string[] = [];
    let last = { status: 0, text: '' };
    for (let i = 0; i < 70 && last.status !== 400; i++) {
      last = await post(
        soap({ action: `${WSEN}/Enumerate`, uri: `${CIM}Vessel_ComputerSystem`, body: '<n:Enumerate/>' }),
        READER,
      );
      const c = /<wsen:EnumerationContext>([^<]+)</.exec(last.text)?.[1];
      if (c) opened.push(c);
    }
    expect(subcode(last.text)).toBe('wsman:QuotaLimit');
    expect(opened.length).toBe(64);
    // The contexts are the CIM pull contexts: the same user gets none over CIM-XML either.
    const rita = new CimClient(h.url, { user: 'rita', password: 'r3ad' });
    await expect(
      rita.openEnumerateInstances('CIM_ComputerSystem', { maxObjectCount: 0 }),
    ).rejects.toMatchObject({
      code: 'CIM_ERR_SERVER_LIMITS_EXCEEDED',
    });
    for (const c of opened)
      await post(
        soap({
          action: `${WSEN}/Release`,
          body: `<n:Release><n:EnumerationContext>${c}</n:EnumerationContext></n:Release>`,
        }),
        READER,
      );
  });
});

describe('WS-Transfer and custom actions', () => {
  it('Create is wsa:ActionNotSupported with CIM_ERR_NOT_SUPPORTED; Delete of a system is refused the same way', async () => {
    const c = await post(
      soap({
        action: `${WXF}/Create`,
        uri: `${CIM}Vessel_ComputerSystem`,
        body: '<p:Vessel_ComputerSystem xmlns:p="x"/>',
      }),
    );
    expect([c.status, subcode(c.text)]).toEqual([400, 'wsa:ActionNotSupported']);
    expect(c.text).toContain('<p:CIMStatusCode>7</p:CIMStatusCode>');
    const d = await post(
      soap({ action: `${WXF}/Delete`, uri: `${CIM}Vessel_ComputerSystem`, selectors: vm('vm3') }),
    );
    expect(subcode(d.text)).toBe('wsa:ActionNotSupported');
    expect(h.host.get('vm3')).toBeDefined();
  });

  it('Put of a system is refused as the object manager refuses ModifyInstance (no second rule here)', async () => {
    const body = `<p:Vessel_ComputerSystem xmlns:p="${CIM}Vessel_ComputerSystem"><p:ElementName>renamed</p:ElementName></p:Vessel_ComputerSystem>`;
    const r = await post(
      soap({ action: `${WXF}/Put`, uri: `${CIM}Vessel_ComputerSystem`, selectors: vm('vm1'), body }),
    );
    expect(subcode(r.text)).toBe('wsa:ActionNotSupported');
    const bad = `<p:Vessel_ComputerSystem xmlns:p="${CIM}Vessel_ComputerSystem"><p:Colour>red</p:Colour></p:Vessel_ComputerSystem>`;
    expect(
      subcode(
        (
          await post(
            soap({
              action: `${WXF}/Put`,
              uri: `${CIM}Vessel_ComputerSystem`,
              selectors: vm('vm1'),
              body: bad,
            }),
          )
        ).text,
      ),
    ).toBe('wsman:SchemaValidationError');
  });

  it('Put changes what the body carries of a RASD of a stopped system, and answers the instance', async () => {
    const rasd = `${CIM}CIM_ResourceAllocationSettingData`;
    const e = await enumerate(
      `<w:OptimizeEnumeration/><w:MaxElements>100</w:MaxElements><w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">SELECT * FROM CIM_ResourceAllocationSettingData WHERE ResourceType = 3</w:Filter>`,
      rasd,
    );
    const id = [...e.text.matchAll(/<p:InstanceID>([^<]+)<\/p:InstanceID>/g)]
      .map((m) => m[1]!)
      .find((i) => i.includes('vm1'))!;
    const cls =
      /<p:(Vessel_\w*ResourceAllocationSettingData|Vessel_ProcessorAllocationSettingData) /.exec(
        e.text,
      )?.[1] ?? 'Vessel_ResourceAllocationSettingData';
    const uri = `${CIM}${cls}`;
    const r = await post(
      soap({
        action: `${WXF}/Put`,
        uri,
        selectors: { __cimnamespace: 'root/virtualization', InstanceID: id },
        body: `<p:${cls} xmlns:p="${uri}"><p:VirtualQuantity>3</p:VirtualQuantity></p:${cls}>`,
      }),
    );
    expect(r.status).toBe(200);
    expect(r.text).toContain('transfer/PutResponse</wsa:Action>');
    expect(r.text).toContain('<p:VirtualQuantity>3</p:VirtualQuantity>');
    const cpu = h.host.get('vm1').definition.resources.find((x) => x.properties.ResourceType === '3')!;
    expect(cpu.properties.VirtualQuantity).toBe('3');
    // The rest of the RASD is as it was.
    expect(cpu.properties.InstanceID).toBeDefined();
  });

  it('Delete removes a finished job (the only instances DeleteInstance allows)', async () => {
    const jobs = `${CIM}CIM_ConcreteJob`;
    const e = await enumerate('<w:OptimizeEnumeration/><w:MaxElements>100</w:MaxElements>', jobs);
    const ids = [...e.text.matchAll(/<p:InstanceID>([^<]+)<\/p:InstanceID>/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(0);
    const cls = /<p:(\w+ConcreteJob) /.exec(e.text)![1]!;
    const d = await post(
      soap({
        action: `${WXF}/Delete`,
        uri: `${CIM}${cls}`,
        selectors: { __cimnamespace: 'root/virtualization', InstanceID: ids[0]! },
      }),
    );
    expect(d.status).toBe(200);
    expect(d.text).toContain('transfer/DeleteResponse</wsa:Action>');
    const again = await post(
      soap({
        action: `${WXF}/Get`,
        uri: `${CIM}${cls}`,
        selectors: { __cimnamespace: 'root/virtualization', InstanceID: ids[0]! },
      }),
    );
    expect(subcode(again.text)).toBe('wsa:DestinationUnreachable');
  });

  it('RequestStateChange answers a Job EPR while the job runs, and a method the class lacks is wsa:ActionNotSupported', async () => {
    const uri = `${CIM}Vessel_ComputerSystem`;
    const r = await post(
      soap({
        action: `${uri}/RequestStateChange`,
        uri,
        selectors: vm('vm3'),
        body: `<p:RequestStateChange_INPUT xmlns:p="${uri}"><p:RequestedState>2</p:RequestedState><p:TimeoutPeriod xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></p:RequestStateChange_INPUT>`,
      }),
    );
    expect(r.status).toBe(200);
    expect(r.text).toContain('/Vessel_ComputerSystem/RequestStateChangeResponse</wsa:Action>');
    expect(r.text).toMatch(/<p:ReturnValue>(0|4096)<\/p:ReturnValue>/);
    if (r.text.includes('<p:ReturnValue>4096<'))
      expect(r.text).toMatch(/<p:Job><wsa:Address>.*CIM_ConcreteJob|Vessel_ConcreteJob/s);
    const no = await post(
      soap({ action: `${uri}/Explode`, uri, selectors: vm('vm3'), body: '<p:Explode_INPUT xmlns:p="x"/>' }),
    );
    expect(subcode(no.text)).toBe('wsa:ActionNotSupported');
    const unknownParam = await post(
      soap({
        action: `${uri}/RequestStateChange`,
        uri,
        selectors: vm('vm3'),
        body: `<p:RequestStateChange_INPUT xmlns:p="${uri}"><p:Bogus>1</p:Bogus></p:RequestStateChange_INPUT>`,
      }),
    );
    expect(subcode(unknownParam.text)).toBe('wsman:InvalidParameter');
  });

  it('DestroySystem takes the system as an EPR; DefineSystem takes typed instance elements', async () => {
    const vsms = `${CIM}Vessel_VirtualSystemManagementService`;
    const image = await h.image('typed.qcow2');
    const define = await post(
      soap({
        action: `${vsms}/DefineSystem`,
        uri: vsms,
        selectors: { __cimnamespace: 'root/virtualization' },
        body: `<p:DefineSystem_INPUT xmlns:p="${vsms}"><p:SystemSettings><q:CIM_VirtualSystemSettingData xmlns:q="${CIM}CIM_VirtualSystemSettingData"><q:ElementName>typed</q:ElementName></q:CIM_VirtualSystemSettingData></p:SystemSettings><p:ResourceSettings><q:CIM_ResourceAllocationSettingData xmlns:q="${CIM}CIM_ResourceAllocationSettingData"><q:ResourceType>3</q:ResourceType><q:VirtualQuantity>2</q:VirtualQuantity></q:CIM_ResourceAllocationSettingData></p:ResourceSettings><p:ResourceSettings><q:CIM_ResourceAllocationSettingData xmlns:q="${CIM}CIM_ResourceAllocationSettingData"><q:ResourceType>4</q:ResourceType><q:VirtualQuantity>64</q:VirtualQuantity><q:AllocationUnits>byte*2^20</q:AllocationUnits></q:CIM_ResourceAllocationSettingData></p:ResourceSettings><p:ResourceSettings><q:CIM_ResourceAllocationSettingData xmlns:q="${CIM}CIM_ResourceAllocationSettingData"><q:ResourceType>17</q:ResourceType><q:HostResource>${image}</q:HostResource></q:CIM_ResourceAllocationSettingData></p:ResourceSettings></p:DefineSystem_INPUT>`,
      }),
    );
    expect(define.text).toContain('<p:ReturnValue>0</p:ReturnValue>');
    expect(
      h.host.get('typed').definition.resources.find((r) => r.properties.ResourceType === '3')?.properties
        .VirtualQuantity,
    ).toBe('2');
    const epr = /<p:ResultingSystem>(.*?)<\/p:ResultingSystem>/s.exec(define.text)![1]!;
    const destroy = await post(
      soap({
        action: `${vsms}/DestroySystem`,
        uri: vsms,
        selectors: { __cimnamespace: 'root/virtualization' },
        body: `<p:DestroySystem_INPUT xmlns:p="${vsms}" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><p:AffectedSystem>${epr}</p:AffectedSystem></p:DestroySystem_INPUT>`,
      }),
    );
    expect(destroy.text).toMatch(/<p:ReturnValue>(0|4096)<\/p:ReturnValue>/);
    expect((await h.host.list()).map((s) => s.name)).not.toContain('typed');
  });
});
