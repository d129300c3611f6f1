import { describe, expect, it } from 'vitest';
import { descriptor, SECTIONS } from '../../../test/fixtures/ovf/descriptor.js';
import { codesOf, type Expected, expectFinding } from '../../../test/fixtures/ovf/expect.js';

const NS =
  'xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"';
const withoutHardware = descriptor().replace(/<VirtualHardwareSection[\s\S]*<\/VirtualHardwareSection>/, '');
const v09 = (attrs: string) => `<?xml version="1.0"?>
<ovf:Envelope xmlns:ovf="http://www.vmware.com/schema/ovf/1/envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${attrs}>
  <References/>
  <Content xsi:type="ovf:VirtualSystem_Type" ovf:id="vm">
    <Info>vm</Info>
    <Section xsi:type="ovf:VirtualHardwareSection_Type"><Info>hw</Info></Section>
  </Content>
</ovf:Envelope>`;

const cases: Array<[string, string, Expected]> = [
  [
    'reports a 0.9 Envelope without ovf:version',
    v09(''),
    { code: 'OVF_VERSION_MISSING', severity: 'error', at: '<ovf:Envelope' },
  ],
  [
    'reports an ovf:version that does not match the namespace',
    descriptor({ envelopeAttrs: 'ovf:version="2.0"' }),
    { code: 'OVF_VERSION_MISMATCH', severity: 'error', at: '<Envelope', message: 'ovf:version="2.0"' },
  ],
  [
    'reports an Envelope without content',
    `<Envelope ${NS}>\n  <References/>\n</Envelope>`,
    { code: 'OVF_NO_CONTENT', severity: 'error', at: '<Envelope' },
  ],
  [
    'reports a second top-level VirtualSystem',
    descriptor({ after: '<VirtualSystem ovf:id="vm2"><Info>x</Info></VirtualSystem>' }),
    { code: 'OVF_MULTIPLE_CONTENT', severity: 'error', at: '<VirtualSystem ovf:id="vm2"' },
  ],
  [
    'reports a VirtualSystem without Info',
    descriptor({ systemInfo: '' }),
    { code: 'OVF_MISSING_INFO', severity: 'error', at: '<VirtualSystem', message: 'VirtualSystem "vm"' },
  ],
  [
    'reports a section without Info',
    descriptor({ systemSections: '<AnnotationSection><Annotation>hi</Annotation></AnnotationSection>' }),
    { code: 'OVF_MISSING_INFO', severity: 'error', at: '<AnnotationSection', message: 'AnnotationSection' },
  ],
  [
    'reports a VirtualSystem without ovf:id',
    descriptor({ systemAttrs: '' }),
    { code: 'OVF_MISSING_ATTRIBUTE', severity: 'error', at: '<VirtualSystem', message: 'ovf:id' },
  ],
  [
    'reports a VirtualSystem without VirtualHardwareSection',
    withoutHardware,
    { code: 'OVF_MISSING_HARDWARE', severity: 'error', at: '<VirtualSystem' },
  ],
  [
    'reports content ids used twice',
    `<Envelope ${NS}><References/>
  <VirtualSystemCollection ovf:id="app"><Info>a</Info>
    <VirtualSystem ovf:id="app"><Info>x</Info><VirtualHardwareSection><Info>h</Info></VirtualHardwareSection></VirtualSystem>
  </VirtualSystemCollection>
</Envelope>`,
    { code: 'OVF_DUPLICATE_ID', severity: 'error', at: '<VirtualSystem ovf:id="app"' },
  ],
  [
    'reports a DiskSection inside a VirtualSystem as misplaced',
    descriptor({ systemSections: '<DiskSection><Info>d</Info></DiskSection>' }),
    {
      code: 'OVF_SECTION_MISPLACED',
      severity: 'error',
      at: '<DiskSection><Info>d',
      message: 'in a VirtualSystem',
    },
  ],
  [
    'warns about an AnnotationSection on the Envelope',
    descriptor({
      sections: `${SECTIONS}<AnnotationSection><Info>a</Info><Annotation>x</Annotation></AnnotationSection>`,
    }),
    { code: 'OVF_SECTION_UNUSUAL_PLACE', severity: 'warning', at: '<AnnotationSection' },
  ],
  [
    'reports a section after the content as misplaced',
    descriptor({ after: '<NetworkSection><Info>late</Info></NetworkSection>' }),
    {
      code: 'OVF_SECTION_MISPLACED',
      severity: 'error',
      at: '<NetworkSection><Info>late',
      message: 'follows',
    },
  ],
  [
    'reports a required section OVF does not define',
    descriptor({ sections: `${SECTIONS}<FutureSection><Info>f</Info></FutureSection>` }),
    { code: 'OVF_UNKNOWN_SECTION', severity: 'error', at: '<FutureSection', message: 'FutureSection' },
  ],
  [
    'reports the xsi:type name of an unknown <Section>',
    descriptor({
      envelopeAttrs: 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
      sections: `${SECTIONS}<Section xsi:type="ovf:FooSection_Type"><Info>f</Info></Section>`,
    }),
    { code: 'OVF_UNKNOWN_SECTION', severity: 'error', at: '<Section xsi:type', message: '<FooSection>' },
  ],
  [
    'notes an optional unknown section as ignored',
    descriptor({
      sections: `${SECTIONS}<x:Thing xmlns:x="urn:x" ovf:required="false"><Info>t</Info></x:Thing>`,
    }),
    { code: 'OVF_UNKNOWN_SECTION_IGNORED', severity: 'info', at: '<x:Thing' },
  ],
  [
    'warns about a required vendor section',
    descriptor({ systemSections: '<vmw:BootOrderSection><Info>b</Info></vmw:BootOrderSection>' }),
    { code: 'OVF_VENDOR_EXTENSION_REQUIRED', severity: 'warning', at: '<vmw:BootOrderSection' },
  ],
  [
    'reports a required unknown element inside a known section',
    descriptor({
      sections: SECTIONS.replace('<Info>Virtual disks</Info>', '<Info>Virtual disks</Info><Mystery/>'),
    }),
    { code: 'OVF_UNKNOWN_ELEMENT', severity: 'error', at: '<Mystery', message: 'DiskSection' },
  ],
  [
    'reports a required Item property no CIM class defines',
    descriptor({
      items:
        '<Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>1</rasd:ResourceType>\n<rasd:Wobble>1</rasd:Wobble></Item>',
    }),
    { code: 'OVF_UNKNOWN_ELEMENT', severity: 'error', at: '<rasd:Wobble', message: 'Wobble' },
  ],
  [
    'reports an ovf:required that is not a boolean',
    descriptor({ hardwareAttrs: 'ovf:required="yes"' }),
    { code: 'OVF_ATTRIBUTE_INVALID', severity: 'error', at: '<VirtualHardwareSection', message: '"yes"' },
  ],
  [
    'warns about an OperatingSystemSection id outside the CIM OSType range',
    descriptor().replace('<OperatingSystemSection ovf:id="101">', '<OperatingSystemSection ovf:id="-100">'),
    { code: 'OVF_ATTRIBUTE_NONSTANDARD', severity: 'warning', at: '<OperatingSystemSection' },
  ],
];

describe('validateOvf() structure checks', () => {
  it.each(cases)('%s', (_name, xml, e) => {
    expectFinding(xml, e);
  });

  it('accepts an unknown element or section marked ovf:required="false"', () => {
    const xml = descriptor({
      sections: SECTIONS.replace(
        '<Info>Virtual disks</Info>',
        '<Info>Virtual disks</Info><Mystery ovf:required="false"/>',
      ),
      systemSections: '<vmw:BootOrderSection ovf:required="false"><Info>b</Info></vmw:BootOrderSection>',
    });
    expect(codesOf(xml)).toEqual([]);
  });

  it('reads the unqualified elements of a 0.9 descriptor as OVF elements', () => {
    expect(codesOf(v09('ovf:version="0.9"'))).toEqual([]);
  });

  it('turns portability errors into warnings with lax, but not broken references', () => {
    const xml = descriptor({
      sections: `${SECTIONS}<FutureSection><Info>f</Info></FutureSection>`,
      items:
        '<Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType><rasd:HostResource>ovf:/disk/none</rasd:HostResource></Item>',
    });
    expectFinding(xml, {
      code: 'OVF_UNKNOWN_SECTION',
      severity: 'warning',
      at: '<FutureSection',
      options: { lax: true },
    });
    expectFinding(xml, {
      code: 'OVF_UNRESOLVED_DISK',
      severity: 'error',
      at: '<rasd:HostResource',
      options: { lax: true },
    });
  });
});

describe('validateOvf() CIM extension classes', () => {
  it('accepts DMTF processor settings (pasd:) in an Item, which the parser keeps as extension elements', () => {
    const xml = descriptor({
      envelopeAttrs:
        'xmlns:pasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ProcessorAllocationSettingData"',
      items: `<Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity>
        <pasd:InstructionSet>DMTF:x86:64</pasd:InstructionSet></Item>`,
    });
    expect(codesOf(xml).filter((c) => c !== 'OVF_DISK_UNUSED')).toEqual([]);
  });
});
