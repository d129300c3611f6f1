import { describe, expect, it } from 'vitest';
import { descriptor, SECTIONS } from '../../../test/fixtures/ovf/descriptor.js';
import { codesOf, type Expected, expectFinding } from '../../../test/fixtures/ovf/expect.js';

const product = (body: string, attrs = '') =>
  descriptor({
    systemSections: `<ProductSection ${attrs}><Info>Product</Info>\n      ${body}\n    </ProductSection>`,
  });
const prop = (attrs: string) => product(`<Property ${attrs}/>`);

const cases: Array<[string, string, Expected]> = [
  [
    'reports a Property without ovf:key',
    prop('ovf:type="string"'),
    { code: 'OVF_MISSING_ATTRIBUTE', severity: 'error', at: '<Property', message: 'ovf:key' },
  ],
  [
    'reports a Property without ovf:type',
    prop('ovf:key="a"'),
    { code: 'OVF_MISSING_ATTRIBUTE', severity: 'error', at: '<Property', message: 'ovf:type' },
  ],
  [
    'reports a key used twice in one ProductSection',
    product('<Property ovf:key="a" ovf:type="string"/>\n      <Property ovf:key="a" ovf:type="uint8"/>'),
    { code: 'OVF_DUPLICATE_ID', severity: 'error', at: 'ovf:type="uint8"', message: 'Property key "a"' },
  ],
  [
    'reports two ProductSections with the same class and instance',
    descriptor({
      systemSections:
        '<ProductSection ovf:class="a"><Info>p</Info></ProductSection>\n    <ProductSection ovf:class="a" ><Info>q</Info></ProductSection>',
    }),
    { code: 'OVF_DUPLICATE_PRODUCT_SECTION', severity: 'error', at: '<ProductSection ovf:class="a" >' },
  ],
  [
    'reports a type that is not a CIM type',
    prop('ovf:key="a" ovf:type="nosuchtype"'),
    { code: 'OVF_PROPERTY_TYPE_UNKNOWN', severity: 'error', at: '<Property', message: '"nosuchtype"' },
  ],
  [
    'warns about a vSphere alias type and names the CIM type',
    prop('ovf:key="a" ovf:type="int" ovf:value="4"'),
    { code: 'OVF_PROPERTY_TYPE_NONSTANDARD', severity: 'warning', at: '<Property', message: '"sint32"' },
  ],
  [
    'warns about a key with a period',
    prop('ovf:key="app.ip" ovf:type="string"'),
    { code: 'OVF_PROPERTY_KEY_CHARS', severity: 'warning', at: '<Property', message: 'app.ip' },
  ],
  [
    'reports a uint8 value out of range',
    prop('ovf:key="n" ovf:type="uint8" ovf:value="300"'),
    { code: 'OVF_PROPERTY_VALUE_INVALID', severity: 'error', at: '<Property', message: '0..255' },
  ],
  [
    'reports a negative value for an unsigned type',
    prop('ovf:key="n" ovf:type="uint64" ovf:value="-1"'),
    { code: 'OVF_PROPERTY_VALUE_INVALID', severity: 'error', at: '<Property' },
  ],
  [
    'reports a sint8 value below its range',
    prop('ovf:key="n" ovf:type="sint8" ovf:value="-129"'),
    { code: 'OVF_PROPERTY_VALUE_INVALID', severity: 'error', at: '<Property', message: '-128..127' },
  ],
  [
    'reports a boolean that is not true or false',
    prop('ovf:key="b" ovf:type="boolean" ovf:value="yes"'),
    { code: 'OVF_PROPERTY_VALUE_INVALID', severity: 'error', at: '<Property', message: '"yes"' },
  ],
  [
    'reports a real that is not a number',
    prop('ovf:key="r" ovf:type="real64" ovf:value="1.5.2"'),
    { code: 'OVF_PROPERTY_VALUE_INVALID', severity: 'error', at: '<Property' },
  ],
  [
    'reports a real32 beyond its range',
    prop('ovf:key="r" ovf:type="real32" ovf:value="1e39"'),
    { code: 'OVF_PROPERTY_VALUE_INVALID', severity: 'error', at: '<Property' },
  ],
  [
    'reports a per-configuration Value that does not match the type',
    product(
      '<Property ovf:key="n" ovf:type="uint16" ovf:value="1">\n        <Value ovf:value="seventy"/>\n      </Property>',
    ),
    { code: 'OVF_PROPERTY_VALUE_INVALID', severity: 'error', at: '<Value', message: '"seventy"' },
  ],
  [
    'reports a value longer than MaxLen',
    prop('ovf:key="s" ovf:type="string" ovf:value="abcd" ovf:qualifiers="MaxLen(3)"'),
    { code: 'OVF_PROPERTY_QUALIFIER_VIOLATED', severity: 'error', at: '<Property', message: 'MaxLen(3)' },
  ],
  [
    'reports a value shorter than MinLen',
    prop('ovf:key="s" ovf:type="string" ovf:value="ab" ovf:qualifiers="MinLen(5),MaxLen(9)"'),
    { code: 'OVF_PROPERTY_QUALIFIER_VIOLATED', severity: 'error', at: '<Property', message: 'MinLen(5)' },
  ],
  [
    'reports a value outside its ValueMap',
    prop(
      'ovf:key="s" ovf:type="string" ovf:value="medium" ovf:qualifiers="ValueMap{&quot;small&quot;, &quot;large&quot;}"',
    ),
    { code: 'OVF_PROPERTY_QUALIFIER_VIOLATED', severity: 'error', at: '<Property', message: 'ValueMap' },
  ],
  [
    'reports a number below MinValue',
    prop('ovf:key="n" ovf:type="sint32" ovf:value="0" ovf:qualifiers="MinValue(1) MaxValue(10)"'),
    { code: 'OVF_PROPERTY_QUALIFIER_VIOLATED', severity: 'error', at: '<Property', message: 'MinValue(1)' },
  ],
  [
    'reports a number above MaxValue',
    prop('ovf:key="n" ovf:type="real64" ovf:value="10.7" ovf:qualifiers="MinValue(1.0) MaxValue(10.67)"'),
    {
      code: 'OVF_PROPERTY_QUALIFIER_VIOLATED',
      severity: 'error',
      at: '<Property',
      message: 'MaxValue(10.67)',
    },
  ],
  [
    'reports qualifiers that cannot be read',
    prop('ovf:key="s" ovf:type="string" ovf:qualifiers="MaxLen(ten)"'),
    { code: 'OVF_PROPERTY_QUALIFIER_INVALID', severity: 'error', at: '<Property', message: 'MaxLen(ten)' },
  ],
  [
    'reports a qualifier that does not fit the type',
    prop('ovf:key="s" ovf:type="string" ovf:qualifiers="MinValue(1)"'),
    {
      code: 'OVF_PROPERTY_QUALIFIER_INVALID',
      severity: 'error',
      at: '<Property',
      message: 'MinValue applies to numbers',
    },
  ],
  [
    'warns about a qualifier neither CIM nor VMware defines',
    prop('ovf:key="s" ovf:type="string" ovf:qualifiers="Shiny(1)"'),
    { code: 'OVF_PROPERTY_QUALIFIER_UNKNOWN', severity: 'warning', at: '<Property', message: '"Shiny"' },
  ],
  [
    'reports ovf:userConfigurable that is not a boolean',
    prop('ovf:key="s" ovf:type="string" ovf:userConfigurable="sure"'),
    { code: 'OVF_ATTRIBUTE_INVALID', severity: 'error', at: '<Property', message: 'userConfigurable' },
  ],
  [
    'reports an Icon whose file is not in References',
    product('<Icon ovf:fileRef="icon9" ovf:mimeType="image/png"/>'),
    { code: 'OVF_UNRESOLVED_FILE', severity: 'error', at: '<Icon', message: '"icon9"' },
  ],
];

describe('validateOvf() ProductSection checks', () => {
  it.each(cases)('%s', (_name, xml, e) => {
    expectFinding(xml, e);
  });

  it(`accepts every CIM type with a value in range, an empty default and a \${...} expression`, () => {
    const props = [
      'ovf:type="uint8" ovf:value="255"',
      'ovf:type="sint8" ovf:value="-128"',
      'ovf:type="uint16" ovf:value="65535"',
      'ovf:type="sint16" ovf:value="-32768"',
      'ovf:type="uint32" ovf:value="4294967295"',
      'ovf:type="sint32" ovf:value="-2147483648"',
      'ovf:type="uint64" ovf:value="18446744073709551615"',
      'ovf:type="sint64" ovf:value="-9223372036854775808"',
      'ovf:type="real32" ovf:value="-1.5e3"',
      'ovf:type="real64" ovf:value=".25"',
      'ovf:type="boolean" ovf:value="True"',
      'ovf:type="string" ovf:value="" ovf:qualifiers="MinLen(1)"',
      `ovf:type="string" ovf:value="http://\${ip}/" ovf:qualifiers="MaxLen(3)"`,
      'ovf:type="char16" ovf:value="x"',
      'ovf:type="datetime" ovf:value="20240101120000.000000+000"',
      'ovf:type="uint8" ovf:value="3" ovf:qualifiers="ValueMap{1..5}"',
      'ovf:type="string" ovf:value="10.0.0.1" ovf:qualifiers="Ip(Management)"',
    ];
    const xml = product(props.map((p, i) => `<Property ovf:key="p${i}" ${p}/>`).join('\n      '));
    expect(codesOf(xml)).toEqual([]);
  });

  it('checks each Value against the qualifiers, and accepts per-configuration values that fit', () => {
    const options = `${SECTIONS}<DeploymentOptionSection><Info>o</Info><Configuration ovf:id="big"><Label>Big</Label></Configuration></DeploymentOptionSection>`;
    const ok = descriptor({
      sections: options,
      systemSections:
        '<ProductSection><Info>p</Info><Property ovf:key="n" ovf:type="uint8" ovf:value="1" ovf:qualifiers="MaxValue(8)"><Value ovf:value="8" ovf:configuration="big"/></Property></ProductSection>',
    });
    expect(codesOf(ok)).toEqual([]);
    expect(codesOf(ok.replace('ovf:value="8"', 'ovf:value="9"'))).toEqual([
      'OVF_PROPERTY_QUALIFIER_VIOLATED',
    ]);
  });
});
