import { describe, expect, it } from 'vitest';
import { type CimInstance, type CimPropertyDecl, freezeProperties } from '../../cim/index.js';
import { envelope, envelopeBytes, type InstanceXmlOptions, instanceBody, instanceXml } from './encode.js';

const decl = (name: string, type: CimPropertyDecl['type'] = 'string', isArray = false): CimPropertyDecl => ({
  name,
  type,
  isArray,
  qualifiers: [],
});

/** One class declaration list, the same array on every lookup as the repository's is. */
const PROPS = [decl('Name'), decl('States', 'uint16', true), decl('Caption'), decl('Changed', 'datetime')];
const lookup: InstanceXmlOptions['lookup'] = (c) =>
  c.toLowerCase() === 'x_thing' ? { properties: PROPS } : undefined;

const inst = (className: string, properties: CimInstance['properties']): CimInstance => ({
  className,
  properties,
});

describe('instanceXml()', () => {
  it('writes the declared properties in declaration order: arrays repeated, NULL as xsi:nil, text escaped', () => {
    const xml = instanceXml(
      inst('X_Thing', {
        Caption: 'a<b & c',
        Name: 'n1',
        States: ['2', '10'],
        Changed: '20260101000000.000000+000',
      }),
      { lookup, namespace: 'root/virtualization', style: 'dmtf' },
    );
    expect(xml).toBe(
      '<p:X_Thing xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/X_Thing"><p:Name>n1</p:Name>' +
        '<p:States>2</p:States><p:States>10</p:States><p:Caption>a&lt;b &amp; c</p:Caption>' +
        '<p:Changed><cim:Datetime>20260101000000.000000+000</cim:Datetime></p:Changed></p:X_Thing>',
    );
    const nil = instanceXml(inst('X_Thing', { Name: 'n2' }), { lookup, namespace: 'root/x', style: 'dmtf' });
    expect(nil).toContain('<p:States xsi:nil="true"/><p:Caption xsi:nil="true"/><p:Changed xsi:nil="true"/>');
  });

  it('opens each answer with the class as the instance spells it and the URI of its style and namespace', () => {
    const a = instanceXml(inst('X_Thing', { Name: 'a' }), { lookup, namespace: 'root/a', style: 'wmi' });
    const b = instanceXml(inst('X_Thing', { Name: 'b' }), { lookup, namespace: 'root/b', style: 'wmi' });
    const c = instanceXml(inst('x_thing', { Name: 'c' }), { lookup, namespace: 'root/b', style: 'dmtf' });
    expect(
      a.startsWith('<p:X_Thing xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/a/X_Thing">'),
    ).toBe(true);
    expect(
      b.startsWith('<p:X_Thing xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/b/X_Thing">'),
    ).toBe(true);
    expect(
      c.startsWith('<p:x_thing xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/x_thing">'),
    ).toBe(true);
    expect(c.endsWith('</p:x_thing>')).toBe(true);
    // A namespace URI that needs escaping in the attribute is escaped in the kept opening tag too.
    const q = instanceXml(inst('X_Thing', {}), { lookup, namespace: 'root/"q"&', style: 'wmi' });
    expect(q).toContain(
      'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/&quot;q&quot;&amp;/X_Thing"',
    );
  });

  it('keeps opening tags for at most a bounded number of namespaces per class, and stays right beyond', () => {
    for (let i = 0; i < 200; i++) {
      const xml = instanceXml(inst('X_Thing', { Name: String(i) }), {
        lookup,
        namespace: `root/n${i}`,
        style: 'wmi',
      });
      expect(
        xml.startsWith(
          `<p:X_Thing xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/n${i}/X_Thing">`,
        ),
      ).toBe(true);
    }
  });

  it('filters properties, and writes an undeclared class`s own properties as text in their order', () => {
    const some = instanceXml(inst('X_Thing', { Name: 'a', Caption: 'c' }), {
      lookup,
      namespace: 'root/a',
      style: 'dmtf',
      filter: (n) => n === 'Caption',
    });
    expect(some).toBe(
      '<p:X_Thing xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/X_Thing"><p:Caption>c</p:Caption></p:X_Thing>',
    );
    const own = instanceXml(inst('Y_Other', { B: 'b', A: undefined }), {
      lookup,
      namespace: 'root/a',
      style: 'dmtf',
    });
    expect(own).toBe(
      '<p:Y_Other xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Y_Other"><p:B>b</p:B><p:A xsi:nil="true"/></p:Y_Other>',
    );
  });

  it('keeps the encoding of a frozen set of text values, by the tags and opening tag it was written with', () => {
    const dmtf: InstanceXmlOptions = { lookup, namespace: 'root/a', style: 'dmtf' };
    const wmi: InstanceXmlOptions = { lookup, namespace: 'root/a', style: 'wmi' };
    const frozen = freezeProperties({
      Name: 'a<b',
      States: ['2', '10'],
      Changed: '20260101000000.000000+000',
    });
    const plain = { Name: 'a<b', States: ['2', '10'], Changed: '20260101000000.000000+000' };
    const expected = instanceXml(inst('X_Thing', plain), dmtf);
    const first = instanceBody(inst('X_Thing', frozen), dmtf);
    expect(Buffer.isBuffer(first)).toBe(true);
    expect(first.toString()).toBe(expected);
    // Asked again: the same bytes, not written again.
    expect(instanceBody(inst('X_Thing', frozen), dmtf)).toBe(first);
    expect(instanceXml(inst('X_Thing', frozen), dmtf)).toBe(expected);
    // Another URI style, namespace or class spelling is another opening tag: written anew, not the kept text.
    expect(instanceXml(inst('X_Thing', frozen), wmi)).toBe(instanceXml(inst('X_Thing', plain), wmi));
    expect(instanceXml(inst('X_Thing', frozen), { ...dmtf, namespace: 'root/b' })).toBe(expected);
    expect(instanceXml(inst('x_thing', frozen), dmtf)).toBe(instanceXml(inst('x_thing', plain), dmtf));
    expect(instanceBody(inst('X_Thing', frozen), dmtf).toString()).toBe(expected);
    // A filter writes what it keeps, and is not kept.
    const only = { ...dmtf, filter: (n: string) => n === 'Name' };
    expect(instanceXml(inst('X_Thing', frozen), only)).toBe(instanceXml(inst('X_Thing', plain), only));
    expect(instanceBody(inst('X_Thing', frozen), dmtf).toString()).toBe(expected);
  });

  it('writes sets that may change, and frozen sets holding references, every time', () => {
    const o: InstanceXmlOptions = { lookup, namespace: 'root/a', style: 'dmtf' };
    const open = { Name: 'one' };
    expect(instanceBody(inst('X_Thing', open), o)).toBe(instanceXml(inst('X_Thing', { Name: 'one' }), o));
    open.Name = 'two';
    expect(instanceBody(inst('X_Thing', open), o)).toContain('<p:Name>two</p:Name>');
    const ref = freezeProperties({
      Name: { className: 'X_Thing', keys: { Name: 'x' }, namespace: 'root/a' },
    } as CimInstance['properties']);
    const body = instanceBody(inst('X_Thing', ref), o);
    expect(typeof body).toBe('string');
    expect(body).toContain('<wsman:Selector Name="Name">x</wsman:Selector>');
  });
});

describe('envelopeBytes()', () => {
  it('is the UTF-8 bytes of envelope(), with a body given as text or as kept bytes', () => {
    const strip = (x: string) => x.replace(/uuid:[0-9a-f-]{36}/, 'uuid:M');
    const body = '<p:X>é ✓</p:X>';
    const text = strip(envelope('urn:a/GetResponse', 'uuid:1', body, '<h/>'));
    expect(strip(envelopeBytes('urn:a/GetResponse', 'uuid:1', body, '<h/>').toString())).toBe(text);
    expect(strip(envelopeBytes('urn:a/GetResponse', 'uuid:1', Buffer.from(body), '<h/>').toString())).toBe(
      text,
    );
    expect(envelopeBytes('urn:a/GetResponse', undefined, Buffer.from(body)).toString()).not.toContain(
      'RelatesTo',
    );
  });
});
