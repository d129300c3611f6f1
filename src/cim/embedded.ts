import { CimError } from './errors.js';
import { parseMof } from './mof/parse.js';
import type { CimInstance } from './types.js';

/**
 * Reads an embedded instance as clients send it (REFERENCE.md §5): CIM-XML `<INSTANCE>` text (escaped or CDATA;
 * pywbem, Hyper-V's GetText(CimDtd20)) or MOF `instance of Class { ... };` (cimtest, libvirt-cim). Like
 * libcmpiutil, text that contains `<instance` (any case) is CIM-XML, anything else is MOF. The CIM-XML reader is
 * the protocol edge's, passed in.
 *
 * @example
 * parseEmbeddedInstance('instance of Vessel_ResourceAllocationSettingData { ResourceType = 3; };', xml);
 */
export function parseEmbeddedInstance(text: string, fromXml: (text: string) => CimInstance): CimInstance {
  if (/<instance[\s>]/i.test(text)) return fromXml(text);
  return instanceFromMof(text);
}

/**
 * The instances of an element of an embedded-instance array. As wbemcli cannot pass several MOF strings that
 * contain `=` in one array, Vessel also accepts one MOF text holding several `instance of` declarations there
 * (a Vessel-only leniency); CIM-XML text is always one instance.
 */
export function parseEmbeddedInstances(text: string, fromXml: (text: string) => CimInstance): CimInstance[] {
  if (/<instance[\s>]/i.test(text)) return [fromXml(text)];
  return mofInstances(text, false);
}

/** The single `instance of` declaration of a MOF text. */
export function instanceFromMof(text: string): CimInstance {
  return mofInstances(text, true)[0]!;
}

function mofInstances(text: string, single: boolean): CimInstance[] {
  let doc: ReturnType<typeof parseMof>;
  try {
    doc = parseMof(text);
  } catch (e) {
    const where = e instanceof CimError && e.location?.line !== undefined ? ` (line ${e.location.line})` : '';
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `An embedded instance is neither CIM-XML nor valid MOF: ${(e as Error).message}${where}`,
      { cause: e },
    );
  }
  if ((single && doc.instances.length !== 1) || doc.instances.length === 0 || doc.classes.length !== 0)
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `An embedded instance must hold exactly one "instance of" declaration, found ${doc.instances.length}`,
    );
  return doc.instances.map((m) => ({ className: m.className, properties: { ...m.properties } }));
}
