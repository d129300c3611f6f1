import { element, getAttr, parseXml, serializeXml, setAttr, text, type XmlElement } from '../xml/index.js';
import { OvfError } from './errors.js';
import { OVFENV_NS } from './namespaces.js';

/**
 * The OVF environment (DSP0243 §11, DSP8027): the ovf-env.xml document a deploying platform hands to the guest,
 * here delivered by the ISO transport. A parse/format pair; `Timezone` is minutes from UTC as the schema says.
 */
export interface OvfEnvironment {
  /** The id of the VirtualSystem this environment is for (Environment/@oe:id). */
  id: string;
  platform?:
    | { kind?: string; version?: string; vendor?: string; locale?: string; timezone?: number }
    | undefined;
  /** Property values by key (`key`, or `class.key.instance` for classed ProductSections), in order. */
  properties: Array<{ key: string; value: string }>;
  /** Environments of the other systems of a collection (Entity elements), each with its own properties. */
  entities: Array<{ id: string; properties: Array<{ key: string; value: string }> }>;
}

const OE = 'oe';

function propertySection(props: Array<{ key: string; value: string }>): XmlElement {
  const s = element(OVFENV_NS, 'PropertySection', '');
  for (const p of props) {
    const e = element(OVFENV_NS, 'Property', '');
    setAttr(e, OVFENV_NS, 'key', p.key, OE);
    setAttr(e, OVFENV_NS, 'value', p.value, OE);
    s.children.push(e);
  }
  return s;
}

/**
 * Writes an OVF environment document.
 *
 * @example
 * formatEnvironment({ id: 'web', properties: [{ key: 'hostname', value: 'web1' }], entities: [] });
 */
export function formatEnvironment(env: OvfEnvironment): string {
  const root = element(OVFENV_NS, 'Environment', '');
  root.nsDecls = [
    ['', OVFENV_NS],
    [OE, OVFENV_NS],
  ];
  setAttr(root, OVFENV_NS, 'id', env.id, OE);
  if (env.platform) {
    const p = element(OVFENV_NS, 'PlatformSection', '');
    const add = (name: string, v: string | number | undefined) => {
      if (v !== undefined) p.children.push(element(OVFENV_NS, name, '', [text(String(v))]));
    };
    add('Kind', env.platform.kind);
    add('Version', env.platform.version);
    add('Vendor', env.platform.vendor);
    add('Locale', env.platform.locale);
    add('Timezone', env.platform.timezone);
    root.children.push(p);
  }
  root.children.push(propertySection(env.properties));
  for (const e of env.entities) {
    const ent = element(OVFENV_NS, 'Entity', '', [propertySection(e.properties)]);
    setAttr(ent, OVFENV_NS, 'id', e.id, OE);
    root.children.push(ent);
  }
  return serializeXml(root);
}

function readProperties(el: XmlElement): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  for (const s of el.children) {
    if (s.type !== 'element' || s.ns !== OVFENV_NS || s.local !== 'PropertySection') continue;
    for (const p of s.children) {
      if (p.type !== 'element' || p.local !== 'Property') continue;
      out.push({ key: getAttr(p, OVFENV_NS, 'key') ?? '', value: getAttr(p, OVFENV_NS, 'value') ?? '' });
    }
  }
  return out;
}

/** Reads an OVF environment document (hardened XML); throws {@link OvfError} when it is not one. */
export function parseEnvironment(input: string | Uint8Array): OvfEnvironment {
  let root: XmlElement;
  try {
    root = parseXml(input, { keepWhitespace: false, maxBytes: 4 << 20 }).root;
  } catch (e) {
    throw new OvfError('OVF_XML_SYNTAX', `The OVF environment is not well formed: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (root.ns !== OVFENV_NS || root.local !== 'Environment') {
    throw new OvfError(
      'OVF_NOT_OVF',
      `The root element is <${root.local}>, not an OVF environment <Environment>`,
    );
  }
  const env: OvfEnvironment = {
    id: getAttr(root, OVFENV_NS, 'id') ?? '',
    properties: readProperties(root),
    entities: [],
  };
  for (const c of root.children) {
    if (c.type !== 'element' || c.ns !== OVFENV_NS) continue;
    if (c.local === 'PlatformSection') {
      const get = (n: string) => {
        const e = c.children.find((x): x is XmlElement => x.type === 'element' && x.local === n);
        return e?.children.map((t) => (t.type === 'text' ? t.value : '')).join('');
      };
      const tz = get('Timezone');
      env.platform = {};
      for (const [k, n] of [
        ['kind', 'Kind'],
        ['version', 'Version'],
        ['vendor', 'Vendor'],
        ['locale', 'Locale'],
      ] as const) {
        const v = get(n);
        if (v !== undefined) env.platform[k] = v;
      }
      if (tz !== undefined) env.platform.timezone = Number(tz);
    } else if (c.local === 'Entity') {
      env.entities.push({ id: getAttr(c, OVFENV_NS, 'id') ?? '', properties: readProperties(c) });
    }
  }
  return env;
}
