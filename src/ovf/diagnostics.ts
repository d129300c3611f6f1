/**
 * The registry of validation diagnostics: every code `validateOvf` can report, with its default severity, whether
 * it is a portability issue that `--lax` turns into a warning (as ovftool's `--lax` relaxes "OVF specification
 * conformance and virtual hardware compliance checks"), and what it means. Codes are stable: tools match on them.
 * `OVF_TARGET_*` codes come only from a target profile (`--target vmware|virtualbox|qemu`) and are warnings.
 */

/** How serious a finding is: errors make a descriptor invalid; warnings and infos do not. */
export type OvfSeverity = 'error' | 'warning' | 'info';

/** One entry of {@link OVF_DIAGNOSTICS}. */
export interface OvfDiagnosticSpec {
  severity: OvfSeverity;
  /** True when `lax` downgrades the error to a warning (a conformance issue some consumers tolerate). */
  lax: boolean;
  /** One line saying what the code means. */
  description: string;
}

const e = (description: string, lax = false): OvfDiagnosticSpec => ({ severity: 'error', lax, description });
const w = (description: string): OvfDiagnosticSpec => ({ severity: 'warning', lax: false, description });
const i = (description: string): OvfDiagnosticSpec => ({ severity: 'info', lax: false, description });

/** Every diagnostic code, its default severity, lax behaviour and description. */
export const OVF_DIAGNOSTICS = {
  // Envelope and structure (DSP0243 §7, DSP8023 EnvelopeType)
  OVF_VERSION_MISSING: e('A 0.9 envelope has no ovf:version (VMware 0.9 requires "0.9")'),
  OVF_VERSION_MISMATCH: e('ovf:version does not match the envelope namespace (0.9, 1.x or 2.x)'),
  OVF_NO_CONTENT: e('The envelope has no VirtualSystem or VirtualSystemCollection'),
  OVF_MULTIPLE_CONTENT: e(
    'The envelope has more than one top-level VirtualSystem or VirtualSystemCollection',
  ),
  OVF_MISSING_INFO: e('A section, VirtualSystem or VirtualSystemCollection has no Info element', true),
  OVF_MISSING_ATTRIBUTE: e(
    'A required attribute (ovf:id, ovf:href, ovf:diskId, ovf:capacity, ...) is missing',
  ),
  OVF_MISSING_HARDWARE: e('A VirtualSystem has no VirtualHardwareSection'),
  OVF_DUPLICATE_ID: e('Two elements of one kind share an identifier (File, Disk, Network, Content, ...)'),
  OVF_DUPLICATE_HREF: e('Two File elements point to the same ovf:href'),
  OVF_DUPLICATE_PRODUCT_SECTION: e(
    'Two ProductSections of one system have the same ovf:class and ovf:instance',
  ),
  OVF_SECTION_MISPLACED: e(
    'A section is where DSP0243 does not allow it (e.g. DiskSection inside a system)',
    true,
  ),
  OVF_SECTION_UNUSUAL_PLACE: w('A section is outside its DSP0243 place, but its meaning is still clear'),
  OVF_UNKNOWN_SECTION: e('A section no standard defines has ovf:required not "false"', true),
  OVF_UNKNOWN_ELEMENT: e('An element a consumer cannot understand has ovf:required not "false"', true),
  OVF_VENDOR_EXTENSION_REQUIRED: w(
    'A vendor section or element is required; only that vendor understands it',
  ),
  OVF_UNKNOWN_SECTION_IGNORED: i('An unknown section has ovf:required="false" and may be ignored'),
  OVF_ATTRIBUTE_INVALID: e('An attribute value is not of its type (boolean, integer or one of its values)'),
  OVF_ATTRIBUTE_NONSTANDARD: w('An attribute value is outside the standard list but a vendor accepts it'),
  // References and files (DSP0243 §7.1)
  OVF_FILE_SIZE_INVALID: e('ovf:size is not a whole number of bytes a consumer can represent'),
  OVF_FILE_CHUNK_INVALID: e('ovf:chunkSize is not a positive whole number, or gives too many chunks'),
  OVF_FILE_CHUNK_UNNEEDED: w('ovf:chunkSize is not smaller than ovf:size, so the file is one chunk'),
  OVF_FILE_COMPRESSION_UNKNOWN: e('ovf:compression is not "gzip", "bzip2" or "identity"'),
  OVF_UNRESOLVED_FILE: e('A reference to a File id (Disk ovf:fileRef, ovf:/file/ID, Icon) does not resolve'),
  OVF_UNRESOLVED_STRINGS_FILE: w('A Strings ovf:fileRef names no File in References'),
  // Disks (DSP0243 §9.1)
  OVF_UNRESOLVED_DISK: e('A disk reference (ovf:/disk/ID, ovf:parentRef) names no Disk in DiskSection'),
  OVF_DISK_FILE_SHARED: e('Two Disks use the same File; each disk image backs one disk'),
  OVF_DISK_PARENT_CYCLE: e('Disk ovf:parentRef chains loop back to themselves'),
  OVF_DISK_NO_FORMAT: w('A Disk with a file has no ovf:format; ovftool and VirtualBox refuse it'),
  OVF_DISK_UNUSED: w('A Disk is not used by any Item'),
  OVF_CAPACITY_INVALID: e(`ovf:capacity is not a whole number or a \${property} reference`),
  OVF_UNRESOLVED_PROPERTY: e(`A \${property} capacity reference names no ProductSection property`),
  OVF_UNITS_INVALID: e('A unit is not a DSP0004 programmatic unit (e.g. "byte * 2^20")'),
  OVF_UNITS_WRONG_BASE: e('A unit has the wrong base (memory and disk in bytes, processors in hertz)'),
  OVF_UNITS_LEGACY: w(
    'A unit uses a legacy name such as "MegaBytes" or a plural such as "bytes", not a DSP0004 programmatic unit',
  ),
  OVF_UNITS_IGNORED: w(
    'A unit cannot measure its value and is ignored (VirtualQuantityUnits "count" on a memory Item)',
  ),
  OVF_UNITS_INEXACT: e(
    'A value times its unit is not a whole number of bytes (or CPUs), so it cannot be allocated',
  ),
  OVF_VALUE_OUT_OF_RANGE: e(
    'A number is out of range: zero or negative where it must be positive, or absurd',
  ),
  OVF_POPULATED_SIZE_EXCEEDS_CAPACITY: e('ovf:populatedSize is larger than the disk capacity'),
  // Hardware (DSP0243 §9.5, CIM RASD)
  OVF_ITEM_NO_INSTANCE_ID: e('An Item has no rasd:InstanceID'),
  OVF_ITEM_NO_RESOURCE_TYPE: e('An Item has no rasd:ResourceType'),
  OVF_ITEM_NO_QUANTITY: w('A processor or memory Item has no rasd:VirtualQuantity, so it sets no size'),
  OVF_PROPERTY_REPEATED: e(
    'A single-valued CIM property (ResourceType, VirtualQuantity, ...) is given twice',
  ),
  OVF_DUPLICATE_RESOURCE: e(
    'Two processor or memory Items (not range markers) apply to the same configuration',
  ),
  OVF_CIM_NAMESPACE_UNKNOWN: e(
    'Item properties are in a namespace that looks like, but is not, a CIM class namespace',
  ),
  OVF_DUPLICATE_INSTANCE_ID: e(
    'Two Items of one section share an InstanceID for the same configuration and bound',
  ),
  OVF_RESOURCE_TYPE_UNKNOWN: e('A required Item has a ResourceType CIM does not define', true),
  OVF_OPTIONAL_RESOURCE_TYPE_UNKNOWN: w('An optional Item has a ResourceType CIM does not define'),
  OVF_VALUE_NOT_INTEGER: e(
    'A value that must be a whole number is not one (VirtualQuantity, ResourceType, ...)',
  ),
  OVF_UNRESOLVED_PARENT: e('rasd:Parent names no InstanceID in the same section'),
  OVF_PARENT_NOT_CONTROLLER: e(
    "A drive's rasd:Parent names an Item that is not a storage controller (a NIC, a port, another drive...)",
  ),
  OVF_HOST_RESOURCE_INVALID: e('rasd:HostResource uses ovf:/ but is neither ovf:/disk/ID nor ovf:/file/ID'),
  OVF_HOST_RESOURCE_FOREIGN: w(
    'A disk drive HostResource does not refer to the package (ovf:/disk/ or ovf:/file/)',
  ),
  OVF_UNRESOLVED_NETWORK: e(
    'rasd:Connection names no Network in NetworkSection (a warning with --lax: deploy connects the NIC to the network --net gives, else the default one)',
    true,
  ),
  OVF_UNRESOLVED_CONFIGURATION: e('ovf:configuration names no Configuration in DeploymentOptionSection'),
  OVF_BOUND_INVALID: e('ovf:bound is not "min", "max" or "normal"'),
  OVF_BOUND_WITHOUT_NORMAL: e('A min/max range Item has no normal Item with the same InstanceID'),
  OVF_TRANSPORT_UNKNOWN: w('ovf:transport lists a value that is neither a known transport nor a URI'),
  // Collections and deployment options (DSP0243 §9.8, §9.9)
  OVF_UNRESOLVED_STARTUP_ID: e('A StartupSection Item names no child of its VirtualSystemCollection'),
  OVF_MULTIPLE_DEFAULT_CONFIGURATIONS: e('More than one Configuration has ovf:default="true"'),
  // Product properties (DSP0243 §9.5.1)
  OVF_PROPERTY_TYPE_UNKNOWN: e(
    'A Property ovf:type is not a CIM type (uint8..sint64, real32/64, boolean, string, ...)',
  ),
  OVF_PROPERTY_TYPE_NONSTANDARD: w(
    'A Property ovf:type is a vendor alias ("int", "real", "String") of a CIM type',
  ),
  OVF_PROPERTY_KEY_CHARS: w('A Property ovf:key contains "." or ":", which DSP0243 reserves'),
  OVF_PROPERTY_VALUE_INVALID: e('A Property value does not match its ovf:type'),
  OVF_PROPERTY_QUALIFIER_INVALID: e('ovf:qualifiers cannot be parsed, or a qualifier does not fit the type'),
  OVF_PROPERTY_QUALIFIER_VIOLATED: e(
    'A Property value violates MinLen, MaxLen, MinValue, MaxValue or ValueMap',
  ),
  OVF_PROPERTY_QUALIFIER_UNKNOWN: w('ovf:qualifiers has a qualifier neither CIM nor VMware defines'),
  // Target profiles (warnings only)
  OVF_TARGET_HARDWARE_FAMILY: w('The target does not accept this VirtualSystemType (hardware family)'),
  OVF_TARGET_ELEMENT: w('The target does not read this element (e.g. OVF 2 StorageItem on VMware)'),
  OVF_TARGET_RESOURCE_SUBTYPE: w('The target rejects this ResourceSubType'),
  OVF_TARGET_RESOURCE_TYPE: w('The target rejects this ResourceType on a required Item'),
  OVF_TARGET_UNITS: w('The target reads this unit wrongly or refuses it'),
  OVF_TARGET_FEATURE: w('The target ignores or refuses a feature the descriptor uses'),
  OVF_TARGET_HARDWARE_VERSION: w('A feature needs a newer hardware version than the descriptor declares'),
  // The validator itself
  OVF_CHECK_FAILED: e('A check failed unexpectedly on this input (a Vessel bug); the result is incomplete'),
} as const satisfies Record<string, OvfDiagnosticSpec>;

/** A diagnostic code: a key of {@link OVF_DIAGNOSTICS}. */
export type OvfDiagnosticCode = keyof typeof OVF_DIAGNOSTICS;

/** One finding of `validateOvf`: what, where (1-based line/column) and what to do about it. */
export interface OvfDiagnostic {
  code: string;
  severity: OvfSeverity;
  line?: number;
  column?: number;
  message: string;
  hint?: string;
}

/** True when a string is a registered diagnostic code. */
export function isOvfDiagnosticCode(code: string): code is OvfDiagnosticCode {
  return Object.hasOwn(OVF_DIAGNOSTICS, code);
}
