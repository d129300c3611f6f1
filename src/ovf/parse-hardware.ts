import {
  ARRAY_PROPERTIES,
  type RasdClass,
  type RasdProperties,
  type VssdProperties,
} from '../model/index.js';
import type { XmlAttribute, XmlElement } from '../xml/index.js';
import { CIM_COMMON_NS, settingsClassOf } from './namespaces.js';
import { ElementReader } from './reader.js';
import type { OvfItem, OvfItemElement, OvfSystem, RepeatedValues } from './types.js';

const ITEM_CLASS: Record<OvfItemElement, RasdClass> = {
  Item: 'CIM_ResourceAllocationSettingData',
  StorageItem: 'CIM_StorageAllocationSettingData',
  EthernetPortItem: 'CIM_EthernetPortAllocationSettingData',
};

/** 0.9 drafts spelled some CIM names differently; they are read as the DMTF names. */
const LEGACY_NAMES: Record<string, string> = { InstanceId: 'InstanceID' };

interface SettingsRead {
  properties: Record<string, string | string[]>;
  repeated: Record<string, RepeatedValues>;
  lines: Record<string, number>;
  attrs: Record<string, XmlAttribute[][]>;
  used: Set<XmlElement>;
}

/** The namespaces whose children are the settings' own properties; others (such as pasd:) stay extension elements. */
const PROPERTY_CLASSES: ReadonlySet<string | undefined> = new Set(['rasd', 'sasd', 'epasd', 'vssd']);

/**
 * A property element's value: its text, or for a CIM datetime (common.xsd cimDateTime: `<cim:CIM_DateTime>`,
 * `Datetime`, `Interval`, `Date`, `Time`) the text of that child element.
 */
function propertyText(c: XmlElement): string {
  const inner = c.children.find((x): x is XmlElement => x.type === 'element' && x.ns === CIM_COMMON_NS);
  let value = '';
  for (const t of (inner ?? c).children) if (t.type === 'text') value += t.value;
  return value.trim();
}

/** Reads the CIM property elements of an Item or System: children in the RASD/SASD/EPASD/VSSD namespaces. */
function readSettings(el: XmlElement): SettingsRead {
  const properties: Record<string, string | string[]> = {};
  const repeated: Record<string, RepeatedValues> = {};
  const lines: Record<string, number> = {};
  const attrs: Record<string, XmlAttribute[][]> = {};
  const used = new Set<XmlElement>();
  for (const c of el.children) {
    if (c.type !== 'element' || !PROPERTY_CLASSES.has(settingsClassOf(c.ns))) continue;
    used.add(c);
    const name = LEGACY_NAMES[c.local] ?? c.local;
    const value = propertyText(c);
    const prev = properties[name];
    let index = 0;
    if (prev === undefined) {
      properties[name] = ARRAY_PROPERTIES.has(name) ? [value] : value;
      if (c.line !== undefined) lines[name] = c.line;
    } else if (Array.isArray(prev)) {
      index = prev.length;
      prev.push(value);
    } else {
      // A single-valued property given again: the model keeps the first; the others are kept aside.
      const r = repeated[name] ?? { first: prev, rest: [] };
      r.rest.push(value);
      repeated[name] = r;
      index = r.rest.length;
    }
    if (c.attrs.length > 0) {
      const list = attrs[name] ?? [];
      list[index] = c.attrs.map((a) => ({ ...a }));
      attrs[name] = list;
    }
  }
  return { properties, repeated, lines, attrs, used };
}

/** Parses an Item, StorageItem or EthernetPortItem (DSP0243 §9.5) into an {@link OvfItem}. */
export function parseItem(el: XmlElement, ns: string, element: OvfItemElement): OvfItem {
  const r = new ElementReader(el, ns);
  const required = r.attr('required');
  const bound = r.attr('bound');
  const configuration = r.attr('configuration');
  const s = readSettings(el);
  for (const c of s.used) r.use(c);
  const item: OvfItem = {
    element,
    resource: { cimClass: ITEM_CLASS[element], properties: s.properties as RasdProperties },
    ...r.rest(),
    propertyLines: s.lines,
  };
  if (required !== undefined) item.required = required;
  if (bound !== undefined) item.bound = bound;
  if (configuration !== undefined) item.configuration = configuration;
  if (Object.keys(s.attrs).length > 0) item.propertyAttrs = s.attrs;
  if (Object.keys(s.repeated).length > 0) item.repeated = s.repeated;
  return item;
}

/** Parses VirtualHardwareSection/System into the VSSD properties. */
export function parseSystem(el: XmlElement, ns: string): OvfSystem {
  const r = new ElementReader(el, ns);
  const s = readSettings(el);
  for (const c of s.used) r.use(c);
  const system: OvfSystem = { properties: s.properties as VssdProperties, ...r.rest() };
  if (Object.keys(s.attrs).length > 0) system.propertyAttrs = s.attrs;
  if (Object.keys(s.repeated).length > 0) system.repeated = s.repeated;
  return system;
}
