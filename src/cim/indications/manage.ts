import { randomUUID } from 'node:crypto';
import { CimError } from '../errors.js';
import type { ClassRepository } from '../repository.js';
import { type CimInstance, type CimInstanceName, type CimValue, isInstanceName } from '../types.js';
import { compileFilter } from './filter.js';
import type { DestinationRecord, FilterRecord, SubscriptionRecord } from './store.js';

/**
 * Reads what a client gives CreateInstance for DSP1054's three classes into store records, checking each value:
 * the filter's query compiles, the destination is an http or https URL, the subscription names a filter and a
 * destination that exist. Keys other than Name (the system and creation class) are the host's, whatever the
 * client sent, as with OpenPegasus.
 */

/** The class of Vessel's listener destination with TLS settings. */
export const VESSEL_DESTINATION = 'Vessel_ListenerDestinationCIMXML';
/** The namespace whose instances indications are about. */
export const SOURCE_NAMESPACE = 'root/virtualization';
/** The class of the instances that indications carry (SourceInstance). */
export const SOURCE_CLASS = 'Vessel_ComputerSystem';

const MAX_TEXT = 8192;
const MAX_URL = 2048;
const MAX_PEM = 64 * 1024;

function str(i: CimInstance, name: string, required: boolean, max = MAX_TEXT): string | undefined {
  const v = i.properties[name];
  if (v === undefined) {
    if (required) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${i.className}.${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string')
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${i.className}.${name} must be a string`);
  if (v.length > max)
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `${i.className}.${name} is longer than ${max} characters`,
    );
  return v;
}

function num(i: CimInstance, name: string, allowed: readonly number[], dflt: number): number {
  const v = str(i, name, false, 16);
  if (v === undefined || v.trim() === '') return dflt;
  const n = Number(v.trim());
  if (!allowed.includes(n))
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `${i.className}.${name} ${JSON.stringify(v)} is not supported; use one of ${allowed.join(', ')}`,
    );
  return n;
}

function nameOf(i: CimInstance): string {
  const n = str(i, 'Name', false, 256);
  if (n === undefined || n === '') return `Vessel:${randomUUID()}`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(n))
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${i.className}.Name has control characters`);
  return n;
}

/** A filter record from a new CIM_IndicationFilter (its query compiled against the source namespace). */
export function filterRecord(i: CimInstance, repo: ClassRepository, user: string): FilterRecord {
  const query = str(i, 'Query', true)!;
  const queryLanguage = str(i, 'QueryLanguage', true, 64)!;
  const list = i.properties.SourceNamespaces;
  let namespaces: string[];
  if (list !== undefined) {
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string') || list.length > 16)
      throw new CimError(
        'CIM_ERR_INVALID_PARAMETER',
        'SourceNamespaces must be an array of at most 16 strings',
      );
    namespaces = list as string[];
  } else namespaces = [str(i, 'SourceNamespace', false, 256) ?? SOURCE_NAMESPACE];
  if (namespaces.length === 0) namespaces = [SOURCE_NAMESPACE];
  const canonical: string[] = [];
  for (const n of namespaces) {
    const ns = repo.findNamespace(n);
    if (!ns)
      throw new CimError('CIM_ERR_INVALID_PARAMETER', `Source namespace "${n.slice(0, 64)}" does not exist`);
    canonical.push(ns.name);
  }
  if (!canonical.includes(SOURCE_NAMESPACE))
    throw new CimError(
      'CIM_ERR_NOT_SUPPORTED',
      `Indications come from ${SOURCE_NAMESPACE} only; the filter names ${canonical.join(', ')}`,
    );
  compileFilter(query, queryLanguage, repo.namespace(SOURCE_NAMESPACE), SOURCE_CLASS);
  return { name: nameOf(i), query, queryLanguage, sourceNamespaces: canonical, createdBy: user };
}

/** A destination record from a new CIM_ListenerDestinationCIMXML (or Vessel's subclass). */
export function destinationRecord(i: CimInstance, user: string): DestinationRecord {
  const destination = str(i, 'Destination', true, MAX_URL)!.trim();
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `Destination ${JSON.stringify(destination.slice(0, 80))} is not a URL`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `Destination must be an http or https URL, not ${JSON.stringify(url.protocol.slice(0, 16))}`,
    );
  num(i, 'Protocol', [2], 2);
  const record: DestinationRecord = {
    name: nameOf(i),
    className: i.className,
    destination: url.href,
    persistenceType: num(i, 'PersistenceType', [2, 3], 2),
    verifyCertificate: true,
    createdBy: user,
  };
  if (i.className.toLowerCase() === VESSEL_DESTINATION.toLowerCase()) {
    const v = str(i, 'VerifyCertificate', false, 8);
    if (v !== undefined) record.verifyCertificate = v.trim().toLowerCase() !== 'false';
    const pem = str(i, 'TrustedCertificate', false, MAX_PEM);
    if (pem !== undefined) {
      if (!pem.includes('-----BEGIN CERTIFICATE-----'))
        throw new CimError('CIM_ERR_INVALID_PARAMETER', 'TrustedCertificate must hold PEM certificates');
      record.trustedCertificate = pem;
    }
  }
  return record;
}

function refName(v: CimValue | undefined, role: string, classes: readonly string[]): string {
  if (!isInstanceName(v))
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `CIM_IndicationSubscription.${role} must be a reference`);
  if (!classes.some((c) => c.toLowerCase() === v.className.toLowerCase()))
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `CIM_IndicationSubscription.${role} must name a ${classes.join(' or ')}, not ${v.className.slice(0, 64)}`,
    );
  const key = Object.entries(v.keys).find(([k]) => k.toLowerCase() === 'name')?.[1];
  if (typeof key !== 'string')
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `CIM_IndicationSubscription.${role} has no Name key`);
  return key;
}

/** A subscription record from a new CIM_IndicationSubscription (the filter and destination are looked up after). */
export function subscriptionRecord(i: CimInstance, user: string): SubscriptionRecord {
  const now = new Date().toISOString();
  return {
    filter: refName(i.properties.Filter, 'Filter', ['CIM_IndicationFilter']),
    handler: refName(i.properties.Handler, 'Handler', ['CIM_ListenerDestinationCIMXML', VESSEL_DESTINATION]),
    state: num(i, 'SubscriptionState', [2, 4], 2),
    onFatalErrorPolicy: num(i, 'OnFatalErrorPolicy', [2, 3, 4], 2),
    startTime: now,
    changedAt: now,
    createdBy: user,
  };
}

/** The Name key of a path, or CIM_ERR_NOT_FOUND. */
export function nameKey(p: CimInstanceName): string {
  const v = Object.entries(p.keys).find(([k]) => k.toLowerCase() === 'name')?.[1];
  if (typeof v !== 'string') throw new CimError('CIM_ERR_NOT_FOUND', `${p.className} has no Name key`);
  return v;
}
