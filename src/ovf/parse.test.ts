import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusCases } from '../../test/helpers/corpus.js';
import { OvfError } from './errors.js';
import { formatOvf } from './format.js';
import { OVF1_NS, OVF09_NS } from './namespaces.js';
import { parseOvf } from './parse.js';
import type { OvfEnvelope } from './types.js';

/** The model without source positions (a round trip cannot keep them) and with 0.9 names read as 1.0. */
function comparable(env: OvfEnvelope, from09 = env.generation === '0.9'): unknown {
  const drop = new Set(['line', 'column', 'propertyLines', 'nsDecls']);
  let json = JSON.stringify(env, (k, v) => (drop.has(k) ? undefined : v));
  if (from09) {
    json = json.replaceAll(OVF09_NS, OVF1_NS);
    const o = JSON.parse(json);
    delete o.generation;
    delete o.version;
    delete o.namespace;
    return o;
  }
  return JSON.parse(json);
}

function ovfError(fn: () => unknown): OvfError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OvfError) return e;
    throw e;
  }
  throw new Error('expected an OvfError');
}

const cases = corpusCases();
const readable = cases.filter(
  (c) => c.expect === 'positive' || c.expect === 'positive-lax' || c.expect === 'negative',
);

describe('parseOvf() on the real-world corpus', () => {
  it('has the corpus beside the repository', () => {
    expect(cases.length).toBeGreaterThan(300);
  });

  it.each(
    cases.filter((c) => c.expect === 'positive' || c.expect === 'positive-lax').map((c) => [c.file, c]),
  )('round-trips %s to an equal model', (_name, c) => {
    const a = parseOvf(readFileSync(c.path), { file: c.file });
    const b = parseOvf(formatOvf(a));
    expect(comparable(b, a.generation === '0.9')).toEqual(comparable(a));
  });

  it.each(cases.filter((c) => c.expect === 'malformed').map((c) => [c.file, c]))(
    'gives a syntax error with a line number for malformed %s',
    (_name, c) => {
      const e = ovfError(() => parseOvf(readFileSync(c.path), { file: c.file }));
      expect(e.code).toBe('OVF_XML_SYNTAX');
      expect(e.location?.line).toBeGreaterThanOrEqual(1);
      expect(e.location?.file).toBe(c.file);
    },
  );

  it('reads every negative case that is well formed XML without throwing, or refuses its root', () => {
    for (const c of readable.filter((x) => x.expect === 'negative')) {
      try {
        parseOvf(readFileSync(c.path), { file: c.file });
      } catch (e) {
        expect(e, c.file).toBeInstanceOf(OvfError);
        expect(['OVF_NOT_OVF', 'OVF_UNSUPPORTED_VERSION'], c.file).toContain((e as OvfError).code);
      }
    }
  });
});

const MINIMAL = `<?xml version="1.0"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:o="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:r="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:v="http://www.vmware.com/schema/ovf">
  <References><File o:id="f1" o:href="disk.vmdk" o:size="100" o:chunkSize="50"/></References>
  <DiskSection><Info>Disks</Info><Disk o:diskId="d1" o:capacity="2" o:capacityAllocationUnits="byte * 2^30" o:fileRef="f1"/></DiskSection>
  <v:FutureSection o:required="false"><Info>kept</Info><v:Thing a="1"/></v:FutureSection>
  <VirtualSystem o:id="vm">
    <Info>A VM</Info>
    <VirtualHardwareSection o:transport="iso">
      <Info>hw</Info>
      <Item o:configuration="small large">
        <r:ElementName o:msgid="m1">cpu</r:ElementName>
        <r:InstanceID>1</r:InstanceID><r:ResourceType>3</r:ResourceType><r:VirtualQuantity> 2 </r:VirtualQuantity>
        <v:CoresPerSocket>2</v:CoresPerSocket>
      </Item>
      <Item><r:InstanceID>2</r:InstanceID><r:ResourceType>10</r:ResourceType>
        <r:Connection>a</r:Connection><r:Connection>b</r:Connection></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>`;

describe('parseOvf()', () => {
  it('matches by namespace URI, not prefix, and reads References, disks and items', () => {
    const env = parseOvf(MINIMAL);
    expect(env.generation).toBe('1');
    expect(env.references[0]).toMatchObject({ id: 'f1', href: 'disk.vmdk', size: '100', chunkSize: '50' });
    const disks = env.sections.find((s) => s.kind === 'DiskSection');
    expect(disks?.kind === 'DiskSection' && disks.disks[0]).toMatchObject({
      diskId: 'd1',
      capacity: '2',
      capacityAllocationUnits: 'byte * 2^30',
    });
    const hw = env.content?.sections.find((s) => s.kind === 'VirtualHardwareSection');
    if (hw?.kind !== 'VirtualHardwareSection') throw new Error('no hardware');
    expect(hw.transport).toBe('iso');
    expect(hw.items[0]?.resource.properties).toMatchObject({
      InstanceID: '1',
      ResourceType: '3',
      VirtualQuantity: '2',
    });
    expect(hw.items[0]?.configuration).toBe('small large');
    expect(hw.items[0]?.extra.map((e) => e.local)).toEqual(['CoresPerSocket']);
    expect(hw.items[1]?.resource.properties.Connection).toEqual(['a', 'b']);
  });

  it('keeps an unknown optional section in place through format', () => {
    const out = formatOvf(parseOvf(MINIMAL));
    const again = parseOvf(out);
    expect(again.sections.map((s) => s.kind)).toEqual(['DiskSection', 'Unknown']);
    const u = again.sections[1];
    expect(u?.kind === 'Unknown' && u.element.local).toBe('FutureSection');
    expect(u?.kind === 'Unknown' && u.required).toBe('false');
    expect(out).toMatch(/<r:ElementName o:msgid="m1">cpu<\/r:ElementName>/);
    expect(out).toContain('xmlns:v="http://www.vmware.com/schema/ovf"');
  });

  it('keeps a single-valued property written twice as its first value, and writes the others back as read', () => {
    const src = `<Envelope xmlns="${OVF1_NS}" xmlns:r="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
      xmlns:v="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:o="${OVF1_NS}">
      <References/><VirtualSystem o:id="vm"><Info/><VirtualHardwareSection><Info/>
        <System><v:InstanceID>0</v:InstanceID><v:VirtualSystemType>vmx-07</v:VirtualSystemType><v:VirtualSystemType>vmx-08</v:VirtualSystemType></System>
        <Item><r:InstanceID>1</r:InstanceID><r:ResourceType>4</r:ResourceType><r:ResourceType>6</r:ResourceType>
          <r:VirtualQuantity>512</r:VirtualQuantity><r:ElementName o:msgid="a">mem</r:ElementName><r:ElementName o:msgid="b">scsi</r:ElementName></Item>
      </VirtualHardwareSection></VirtualSystem></Envelope>`;
    const env = parseOvf(src);
    const hw = env.content?.sections.find((s) => s.kind === 'VirtualHardwareSection');
    if (hw?.kind !== 'VirtualHardwareSection') throw new Error('no hardware');
    // The model's single-valued properties stay text: every reader of them may trim, compare and parse.
    expect(hw.items[0]?.resource.properties).toMatchObject({ ResourceType: '4', ElementName: 'mem' });
    expect(hw.system?.properties.VirtualSystemType).toBe('vmx-07');
    expect(hw.items[0]?.repeated).toEqual({
      ResourceType: { first: '4', rest: ['6'] },
      ElementName: { first: 'mem', rest: ['scsi'] },
    });
    const out = formatOvf(env);
    expect(out).toMatch(/<r:ResourceType>4<\/r:ResourceType>\s*<r:ResourceType>6<\/r:ResourceType>/);
    expect(out).toMatch(/<r:ElementName o:msgid="a">mem<\/r:ElementName>\s*<r:ElementName o:msgid="b">scsi</);
    expect(out).toMatch(/<v:VirtualSystemType>vmx-07<\/v:VirtualSystemType>\s*<v:VirtualSystemType>vmx-08</);
    expect(comparable(parseOvf(out))).toEqual(comparable(env));
    // A changed value is written alone: the repeats belonged to the value they were read with.
    hw.items[0]!.resource.properties.ResourceType = '5';
    const edited = formatOvf(env);
    expect(edited.match(/<r:ResourceType>/g)).toHaveLength(1);
    expect(edited).toContain('<r:ResourceType>5</r:ResourceType>');
    expect(parseOvf(edited).content?.sections.find((s) => s.kind === 'VirtualHardwareSection')).toMatchObject(
      {
        items: [{ repeated: { ElementName: { rest: ['scsi'] } } }],
      },
    );
  });

  it('reads the 0.9 xsi:type sections and writes them as OVF 1.0', () => {
    const src = `<ovf:Envelope xmlns:ovf="http://www.vmware.com/schema/ovf/1/envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" ovf:version="0.9">
      <ovf:References/>
      <ovf:Section xsi:type="ovf:NetworkSection_Type"><ovf:Info>n</ovf:Info><ovf:Network ovf:name="lan"/></ovf:Section>
      <ovf:Content ovf:id="x" xsi:type="ovf:VirtualSystem_Type"><ovf:Info>vm</ovf:Info>
        <ovf:Section xsi:type="ovf:VirtualHardwareSection_Type"><ovf:Info>hw</ovf:Info>
          <ovf:Item><rasd:InstanceId>7</rasd:InstanceId><rasd:ResourceType>4</rasd:ResourceType></ovf:Item>
        </ovf:Section></ovf:Content></ovf:Envelope>`;
    const env = parseOvf(src);
    expect(env.generation).toBe('0.9');
    expect(env.sections[0]?.kind).toBe('NetworkSection');
    const hw = env.content?.sections[0];
    expect(hw?.kind === 'VirtualHardwareSection' && hw.items[0]?.resource.properties.InstanceID).toBe('7');
    const out = formatOvf(env);
    expect(out).toContain('http://schemas.dmtf.org/ovf/envelope/1');

    expect(out).not.toContain('xsi:type');
    expect(parseOvf(out).generation).toBe('1');
  });

  it("reads the 0.9 draft's Full-version as FullVersion, so that a 0.9 file written as 1.0 still validates", () => {
    const src = `<ovf:Envelope xmlns:ovf="http://www.vmware.com/schema/ovf/1/envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ovf:version="0.9">
      <References/>
      <Content ovf:id="x" xsi:type="ovf:VirtualSystem_Type"><Info>vm</Info>
        <Section xsi:type="ovf:ProductSection_Type" ovf:required="false"><Info>p</Info>
          <Product>P</Product><Full-version>1.0.0</Full-version><constructor/></Section>
      </Content></ovf:Envelope>`;
    const product = parseOvf(src).content?.sections[0];
    expect(product?.kind === 'ProductSection' && product.fullVersion?.text).toBe('1.0.0');
    const out = formatOvf(parseOvf(src));
    expect(out).toMatch(/<ovf:FullVersion>1\.0\.0<\/ovf:FullVersion>/);
    expect(out).not.toContain('Full-version');
    // An element named like an Object member is kept as itself, not looked up on a prototype.
    expect(out).toContain('<ovf:constructor/>');
  });

  it("reads both spellings of the OVF 2 SASD/EPASD namespaces and oVirt's trailing slash", () => {
    for (const [sasd, env1] of [
      [
        'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData',
        'http://schemas.dmtf.org/ovf/envelope/2',
      ],
      [
        'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData.xsd',
        'http://schemas.dmtf.org/ovf/envelope/2',
      ],
    ]) {
      const env =
        parseOvf(`<Envelope xmlns="${env1}" xmlns:s="${sasd}"><References/><VirtualSystem xmlns:o="${env1}" o:id="a"><Info/>
        <VirtualHardwareSection><Info/><StorageItem><s:InstanceID>3</s:InstanceID><s:ResourceType>31</s:ResourceType></StorageItem></VirtualHardwareSection>
        </VirtualSystem></Envelope>`);
      const hw = env.content?.sections[0];
      expect(hw?.kind === 'VirtualHardwareSection' && hw.items[0]?.resource).toEqual({
        cimClass: 'CIM_StorageAllocationSettingData',
        properties: { InstanceID: '3', ResourceType: '31' },
      });
      expect(formatOvf(env)).toContain(`xmlns:s="${sasd}"`);
    }
    expect(
      parseOvf('<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1/"><References/></Envelope>')
        .generation,
    ).toBe('1');
  });

  it('rejects a DOCTYPE with OVF_XML_DOCTYPE and never expands entities', () => {
    const e = ovfError(() =>
      parseOvf(
        '<!DOCTYPE Envelope [<!ENTITY x SYSTEM "file:///etc/shadow">]><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">&x;</Envelope>',
        { file: 'x.ovf' },
      ),
    );
    expect(e.code).toBe('OVF_XML_DOCTYPE');
    expect(e.describe()).toMatch(/^x\.ovf:1:\d+: /);
  });

  it('rejects a root that is not an Envelope, and an unknown envelope namespace', () => {
    expect(ovfError(() => parseOvf('<Foo/>')).code).toBe('OVF_NOT_OVF');
    expect(ovfError(() => parseOvf('<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/3"/>')).code).toBe(
      'OVF_UNSUPPORTED_VERSION',
    );
  });

  it('rejects oversized descriptors', () => {
    expect(
      ovfError(() => parseOvf(`<Envelope>${' '.repeat(5000)}</Envelope>`, { maxBytes: 4096 })).code,
    ).toBe('OVF_XML_TOO_LARGE');
  });

  it('never throws anything but OvfError on mutated descriptors (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MINIMAL.length - 1 }),
        fc.integer({ min: 1, max: 40 }),
        fc.string({ maxLength: 20 }),
        (at, len, ins) => {
          const mutated = MINIMAL.slice(0, at) + ins + MINIMAL.slice(at + len);
          try {
            const env = parseOvf(mutated);
            parseOvf(formatOvf(env));
          } catch (e) {
            expect(e).toBeInstanceOf(OvfError);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
