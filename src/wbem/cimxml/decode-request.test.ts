import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRequest, decodeRequestAsync } from './decode-request.js';
import { CimXmlError } from './errors.js';
import { checkHeadersMatch } from './headers.js';
import { DEFAULT_REQUEST_LIMITS } from './xml-read.js';

const wrap = (
  inner: string,
  cim = 'CIMVERSION="2.0" DTDVERSION="2.0"',
  msg = 'ID="1" PROTOCOLVERSION="1.0"',
) =>
  `<?xml version="1.0" encoding="utf-8"?><CIM ${cim}><MESSAGE ${msg}><SIMPLEREQ>${inner}</SIMPLEREQ></MESSAGE></CIM>`;
const ns =
  '<LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virtualization"/></LOCALNAMESPACEPATH>';

function code(text: string | Uint8Array): string {
  try {
    decodeRequest(text, { maxBytes: 1 << 16, maxDepth: 32 });
  } catch (e) {
    expect(e).toBeInstanceOf(CimXmlError);
    return (e as CimXmlError).code;
  }
  return 'accepted';
}

describe('decodeRequest()', () => {
  it('decodes an intrinsic call: namespace, parameters by name, values by element', () => {
    const c = decodeRequest(
      wrap(
        `<IMETHODCALL NAME="GetInstance">${ns}<IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="K"><KEYVALUE VALUETYPE="boolean"> TRUE </KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE><IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY><VALUE>A</VALUE></VALUE.ARRAY></IPARAMVALUE><IPARAMVALUE NAME="LocalOnly"/></IMETHODCALL>`,
      ),
    );
    expect(c).toMatchObject({
      kind: 'intrinsic',
      method: 'GetInstance',
      namespace: 'root/virtualization',
      messageId: '1',
    });
    if (c.kind !== 'intrinsic') return;
    expect(c.params.get('instancename')?.value).toEqual({
      kind: 'instancename',
      value: { className: 'X', keys: { K: 'true' } },
    });
    expect(c.params.get('propertylist')?.value).toEqual({ kind: 'array', value: ['A'] });
    expect(c.params.get('localonly')?.value).toEqual({ kind: 'null' });
  });

  it('decodes an extrinsic call with untyped, typed, reference and embedded-object parameters', () => {
    const c = decodeRequest(
      wrap(
        `<METHODCALL NAME="M"><LOCALINSTANCEPATH>${ns}<INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="Name"><KEYVALUE>a</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH>` +
          '<PARAMVALUE NAME="A"><VALUE>2</VALUE></PARAMVALUE>' +
          '<PARAMVALUE NAME="B" PARAMTYPE="boolean"><VALUE>TRUE</VALUE></PARAMVALUE>' +
          '<PARAMVALUE NAME="C" PARAMTYPE="reference"><VALUE.REFERENCE><INSTANCENAME CLASSNAME="Y"/></VALUE.REFERENCE></PARAMVALUE>' +
          '<PARAMVALUE NAME="D" PARAMTYPE="string" EMBEDDEDOBJECT="instance"><VALUE>&lt;INSTANCE CLASSNAME="Z"/&gt;</VALUE></PARAMVALUE>' +
          '<PARAMVALUE NAME="E"/></METHODCALL>',
      ),
    );
    if (c.kind !== 'extrinsic') throw new Error('not extrinsic');
    expect(c.target).toEqual({ className: 'X', keys: { Name: 'a' }, namespace: 'root/virtualization' });
    expect(c.params.map((p) => [p.name, p.value, p.embeddedObject])).toEqual([
      ['A', '2', undefined],
      ['B', 'true', undefined],
      ['C', { className: 'Y', keys: {} }, undefined],
      ['D', '<INSTANCE CLASSNAME="Z"/>', 'instance'],
      ['E', undefined, undefined],
    ]);
  });

  it.each([
    [
      'a CIM version it does not speak',
      wrap('', 'CIMVERSION="3.0" DTDVERSION="2.0"'),
      'CIMXML_UNSUPPORTED_CIM_VERSION',
    ],
    [
      'a DTD version it does not speak',
      wrap('', 'CIMVERSION="2.0" DTDVERSION="9.9"'),
      'CIMXML_UNSUPPORTED_DTD_VERSION',
    ],
    [
      'a protocol version it does not speak',
      wrap('', undefined, 'ID="1" PROTOCOLVERSION="2.0"'),
      'CIMXML_UNSUPPORTED_PROTOCOL_VERSION',
    ],
    [
      'a multiple request',
      wrap('').replace('<SIMPLEREQ></SIMPLEREQ>', '<MULTIREQ/>'),
      'CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED',
    ],
    ['no method call', wrap(''), 'CIMXML_REQUEST_NOT_VALID'],
    [
      'two method calls',
      wrap(`<IMETHODCALL NAME="A">${ns}</IMETHODCALL><IMETHODCALL NAME="B">${ns}</IMETHODCALL>`),
      'CIMXML_REQUEST_NOT_VALID',
    ],
    [
      'a parameter given twice',
      wrap(`<IMETHODCALL NAME="A">${ns}<IPARAMVALUE NAME="X"/><IPARAMVALUE NAME="x"/></IMETHODCALL>`),
      'CIMXML_REQUEST_NOT_VALID',
    ],
    [
      'an unknown element',
      wrap(`<IMETHODCALL NAME="A">${ns}<IPARAMVALUE NAME="X"><BOGUS/></IPARAMVALUE></IMETHODCALL>`),
      'CIMXML_REQUEST_NOT_VALID',
    ],
    ['a missing NAME', wrap(`<IMETHODCALL>${ns}</IMETHODCALL>`), 'CIMXML_REQUEST_NOT_VALID'],
    [
      'an empty namespace path',
      wrap('<IMETHODCALL NAME="A"><LOCALNAMESPACEPATH/></IMETHODCALL>'),
      'CIMXML_REQUEST_NOT_VALID',
    ],
    [
      'a key that refers to a class',
      wrap(
        `<IMETHODCALL NAME="A">${ns}<IPARAMVALUE NAME="X"><INSTANCENAME CLASSNAME="C"><KEYBINDING NAME="K"><VALUE.REFERENCE><CLASSNAME NAME="D"/></VALUE.REFERENCE></KEYBINDING></INSTANCENAME></IPARAMVALUE></IMETHODCALL>`,
      ),
      'CIMXML_REQUEST_NOT_VALID',
    ],
    ['a root other than CIM', '<FOO/>', 'CIMXML_REQUEST_NOT_VALID'],
    ['XML that is not well formed', '<CIM><MESSAGE>', 'CIMXML_REQUEST_NOT_WELL_FORMED'],
    [
      'a DOCTYPE with an external entity (XXE)',
      `<!DOCTYPE CIM [<!ENTITY x SYSTEM "file:///etc/passwd">]>${wrap('&x;')}`,
      'CIMXML_REQUEST_NOT_VALID',
    ],
    ['an undefined entity', wrap('&lol;'), 'CIMXML_REQUEST_NOT_WELL_FORMED'],
    [
      'bytes that are not UTF-8',
      Buffer.concat([Buffer.from(wrap('')), Buffer.from([0xff, 0xfe])]),
      'CIMXML_REQUEST_NOT_WELL_FORMED',
    ],
    ['an oversized document', wrap(`<!--${'x'.repeat(70_000)}-->`), 'CIMXML_TOO_LARGE'],
    ['nesting deeper than the limit', wrap(`${'<A>'.repeat(40)}${'</A>'.repeat(40)}`), 'CIMXML_TOO_LARGE'],
  ])('refuses %s', (_what, text, expected) => {
    expect(code(text)).toBe(expected);
  });
});

/** The request limits with a 4 MiB body (the largest a host is usually given), so that shapes meet their own limit. */
const LIMITS = { ...DEFAULT_REQUEST_LIMITS, maxBytes: 4 << 20 };

/** The outcome of decoding under the request limits, sync or in slices: the error code and message, or the call. */
async function outcome(text: string, sliced: boolean): Promise<unknown> {
  try {
    return sliced ? await decodeRequestAsync(text, LIMITS) : decodeRequest(text, LIMITS);
  } catch (e) {
    if (!(e instanceof CimXmlError)) throw e;
    return `${e.code}: ${e.message}`;
  }
}

const extrinsic = (params: string) =>
  wrap(
    `<METHODCALL NAME="M"><LOCALCLASSPATH>${ns}<CLASSNAME NAME="C"/></LOCALCLASSPATH>${params}</METHODCALL>`,
  );

describe('decodeRequest() under the request limits (hostile shapes)', () => {
  // A processing instruction sends the document to the hardened (saxes) reader instead of the fast one.
  const viaSaxes = (doc: string) => doc.replace('<SIMPLEREQ>', '<SIMPLEREQ><?x y?>');

  it.each([
    [
      '100,000 attributes on one element',
      wrap('').replace('<CIM ', `<CIM ${attrs(100_000)} `),
      'more than 64',
    ],
    ['20,001 elements', extrinsic('<PARAMVALUE NAME="P"/>'.repeat(20_000)), 'more than 20000 elements'],
    ['a text of 1 MiB and one character', wrap(`<X>${'x'.repeat((1 << 20) + 1)}</X>`), 'longer than'],
  ])(
    'refuses %s with CIMXML_TOO_LARGE, in the fast reader and in the hardened one, sync and sliced',
    async (_w, doc, msg) => {
      for (const d of [doc, viaSaxes(doc)])
        for (const sliced of [false, true]) {
          const r = await outcome(d, sliced);
          expect(r).toMatch(/^CIMXML_TOO_LARGE: /);
          expect(r).toContain(msg);
        }
    },
  );

  it('reads 5,000 PARAMVALUEs with a linear duplicate check, and refuses a duplicate among them', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `<PARAMVALUE NAME="P${i}"/>`).join('');
    const call = decodeRequest(extrinsic(many), DEFAULT_REQUEST_LIMITS);
    expect(call.kind === 'extrinsic' && call.params.length).toBe(5000);
    expect(await outcome(extrinsic(`${many}<PARAMVALUE NAME="p4999"/>`), true)).toMatch(
      /^CIMXML_REQUEST_NOT_VALID: Parameter p4999 is given twice/,
    );
  });

  it('refuses an instance name with more than 64 keys, in the body and in the CIMObject header', async () => {
    const kb = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `<KEYBINDING NAME="K${i}"><KEYVALUE>1</KEYVALUE></KEYBINDING>`,
      ).join('');
    const target = (n: number) =>
      wrap(
        `<METHODCALL NAME="M"><LOCALINSTANCEPATH>${ns}<INSTANCENAME CLASSNAME="C">${kb(n)}</INSTANCENAME></LOCALINSTANCEPATH></METHODCALL>`,
      );
    expect(await outcome(target(65), false)).toMatch(
      /^CIMXML_REQUEST_NOT_VALID: .*65 key bindings; at most 64/,
    );
    const call = decodeRequest(target(64), LIMITS);
    const header = `root/virtualization:C.${Array.from({ length: 2000 }, (_, i) => `K${i}=1`).join(',')}`;
    expect(() => checkHeadersMatch({ method: 'M', object: header }, call)).toThrow(/more than 64 keys/);
  });

  it('keeps a key or property named __proto__ as data, never as a prototype', () => {
    const c = decodeRequest(
      wrap(
        `<IMETHODCALL NAME="CreateInstance">${ns}<IPARAMVALUE NAME="NewInstance"><INSTANCE CLASSNAME="X"><PROPERTY.ARRAY NAME="__proto__" TYPE="string"><VALUE.ARRAY><VALUE>a</VALUE></VALUE.ARRAY></PROPERTY.ARRAY></INSTANCE></IPARAMVALUE><IPARAMVALUE NAME="N"><INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="__proto__"><VALUE.REFERENCE><INSTANCENAME CLASSNAME="Y"/></VALUE.REFERENCE></KEYBINDING></INSTANCENAME></IPARAMVALUE></IMETHODCALL>`,
      ),
    );
    if (c.kind !== 'intrinsic') throw new Error('expected an intrinsic call');
    const inst = c.params.get('newinstance')?.value;
    const name = c.params.get('n')?.value;
    if (inst?.kind !== 'instance' || name?.kind !== 'instancename') throw new Error('unexpected shape');
    expect(Object.getPrototypeOf(inst.value.properties)).toBe(Object.prototype);
    expect(Object.keys(inst.value.properties)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(name.value.keys)).toBe(Object.prototype);
    expect(Object.keys(name.value.keys)).toEqual(['__proto__']);
  });

  it('decodes in slices exactly as in one go, on valid and mutated requests (fuzz)', async () => {
    const base = extrinsic('<PARAMVALUE NAME="A"><VALUE>x &amp; y</VALUE></PARAMVALUE>'.repeat(3));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.nat(), fc.constantFrom('<', '>', '&', '"', '<A>', '</A>', 'x', '\r\n', '<?p?>')),
          {
            maxLength: 4,
          },
        ),
        async (edits) => {
          let s = base;
          for (const [pos, ins] of edits) {
            const at = pos % (s.length + 1);
            s = s.slice(0, at) + ins + s.slice(at);
          }
          expect(await outcome(s, true)).toEqual(await outcome(s, false));
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });
});

function attrs(n: number): string {
  return Array.from({ length: n }, (_, i) => `a${i}=""`).join(' ');
}
