/**
 * The OVF envelope model (DSP0243 1.x/2.x; VMware 0.9 read as 1.0). Names follow the DMTF elements and attributes.
 * Virtual hardware is the one model of Vessel: each Item carries a {@link ResourceSetting} (CIM RASD/SASD/EPASD)
 * and VirtualHardwareSection/System carries the VSSD properties. Everything this model does not name is kept as
 * XML (`attrs` for attributes, `extra` for child elements, `OvfUnknownSection` for whole sections) so that a parse
 * then format keeps it, in order.
 */
import type { ResourceSetting, VssdProperties } from '../model/index.js';
import type { XmlAttribute, XmlElement } from '../xml/index.js';

/** The OVF generation: which envelope namespace the document uses. `0.9` documents are read, never written. */
export type OvfGeneration = '0.9' | '1' | '2';

/** Where a node was in the source file (1-based); absent for nodes made in memory. */
export interface Located {
  line?: number | undefined;
  column?: number | undefined;
}

/** What every modelled node keeps of what it does not understand. */
export interface Extensible extends Located {
  /** Attributes the model does not name (vendor attributes such as `vmw:osType`), in document order. */
  attrs: XmlAttribute[];
  /** Child elements the model does not name (vendor elements such as `vmw:Config`), in document order. */
  extra: XmlElement[];
}

/** Localizable text (DSP0243 §10, Msg_Type): the text and its optional `ovf:msgid`. */
export interface OvfMsg {
  text: string;
  msgid?: string | undefined;
}

/** The whole descriptor. */
export interface OvfEnvelope extends Extensible {
  generation: OvfGeneration;
  /** The `ovf:version` attribute as written, if any ("1.0", "1.1", "2.0", "0.9"...). */
  version?: string | undefined;
  /** The envelope namespace URI exactly as written (oVirt's trailing slash included). */
  namespace: string;
  /** `xml:lang` of the envelope, if given. */
  lang?: string | undefined;
  /** References/File entries, in order. */
  references: OvfFile[];
  /** Extension attributes/elements on References itself. */
  referencesExt?: Extensible | undefined;
  /** Package-level sections (DiskSection, NetworkSection, DeploymentOptionSection, ...), in order. */
  sections: OvfSection[];
  /** The one VirtualSystem or VirtualSystemCollection (absent only in invalid descriptors). */
  content?: OvfContent | undefined;
  /** Strings bundles (localized messages), kept as XML. */
  strings: XmlElement[];
  /** Namespace declarations written on the envelope, [prefix, uri], kept for a faithful round trip. */
  nsDecls: Array<[string, string]>;
}

/** References/File (DSP0243 §7.1). Numeric attributes are kept as written; validation checks them. */
export interface OvfFile extends Extensible {
  id: string;
  href: string;
  size?: string | undefined;
  compression?: string | undefined;
  chunkSize?: string | undefined;
}

/** A VirtualSystem or VirtualSystemCollection (DSP0243 §7.2). */
export interface OvfContent extends Extensible {
  kind: 'VirtualSystem' | 'VirtualSystemCollection';
  id: string;
  /** `ovf:Info`; undefined only when the descriptor omits it (invalid, reported by validation). */
  info: OvfMsg | undefined;
  name?: OvfMsg | undefined;
  sections: OvfSection[];
  /** Nested content, only in a VirtualSystemCollection. */
  children: OvfContent[];
}

/** What every section has (DSP0243 §9): `ovf:Info`, `ovf:required`, and its own extension data. */
export interface OvfSectionBase extends Extensible {
  info: OvfMsg | undefined;
  /** The `ovf:required` attribute as written; absent means true. */
  required?: string | undefined;
}

/** DiskSection (§9.1). */
export interface OvfDiskSection extends OvfSectionBase {
  kind: 'DiskSection';
  disks: OvfDisk[];
}

/** DiskSection/Disk. `capacity` may be a number or a `${property}` reference, so it is kept as text. */
export interface OvfDisk extends Extensible {
  diskId: string;
  capacity: string;
  capacityAllocationUnits?: string | undefined;
  fileRef?: string | undefined;
  format?: string | undefined;
  populatedSize?: string | undefined;
  parentRef?: string | undefined;
}

/** NetworkSection (§9.2). */
export interface OvfNetworkSection extends OvfSectionBase {
  kind: 'NetworkSection';
  networks: OvfNetwork[];
}

/** NetworkSection/Network. */
export interface OvfNetwork extends Extensible {
  name: string;
  description?: OvfMsg | undefined;
}

/** DeploymentOptionSection (§9.8). */
export interface OvfDeploymentOptionSection extends OvfSectionBase {
  kind: 'DeploymentOptionSection';
  configurations: OvfConfiguration[];
}

/** DeploymentOptionSection/Configuration. */
export interface OvfConfiguration extends Extensible {
  id: string;
  default?: string | undefined;
  label: OvfMsg;
  description?: OvfMsg | undefined;
}

/** VirtualHardwareSection (§9.3): the VSSD (`System`) and the items (RASDs). */
export interface OvfVirtualHardwareSection extends OvfSectionBase {
  kind: 'VirtualHardwareSection';
  id?: string | undefined;
  /** `ovf:transport` as written (space- or comma-separated list of transports, e.g. `iso com.vmware.guestInfo`). */
  transport?: string | undefined;
  /** The System element's VSSD properties, when present. */
  system?: OvfSystem | undefined;
  items: OvfItem[];
}

/**
 * A single-valued CIM property written more than once (invalid, `OVF_PROPERTY_REPEATED`): the model reads the
 * first value; the others are kept so that the descriptor is written back as it was read. They belong to the
 * value they were read with: once that value is changed, only the new one is written.
 */
export interface RepeatedValues {
  first: string;
  rest: string[];
}

/** VirtualHardwareSection/System: VSSD properties plus what the model does not name. */
export interface OvfSystem extends Extensible {
  properties: VssdProperties;
  /** Attributes written on property elements, by name then value index. */
  propertyAttrs?: Record<string, XmlAttribute[][]> | undefined;
  /** Single-valued properties written more than once, by name. */
  repeated?: Record<string, RepeatedValues> | undefined;
}

/** The three element names a hardware item can have: Item (RASD), StorageItem (SASD), EthernetPortItem (EPASD). */
export type OvfItemElement = 'Item' | 'StorageItem' | 'EthernetPortItem';

/** A hardware item: the CIM resource setting plus OVF's own attributes (§9.5). */
export interface OvfItem extends Extensible {
  element: OvfItemElement;
  resource: ResourceSetting;
  /** `ovf:required` as written; absent means true. */
  required?: string | undefined;
  /** `ovf:bound`: min, max or normal (ResourceAllocationSection/VirtualHardwareSection ranges). */
  bound?: string | undefined;
  /** `ovf:configuration` as written: space-separated DeploymentOption ids this item applies to. */
  configuration?: string | undefined;
  /** Line of each property element, for diagnostics: property name -> line of its first element. */
  propertyLines?: Record<string, number> | undefined;
  /** Attributes written on property elements (e.g. `ovf:msgid`, `vcloud:ipAddress`), by name then value index. */
  propertyAttrs?: Record<string, XmlAttribute[][]> | undefined;
  /** Single-valued properties written more than once, by name. */
  repeated?: Record<string, RepeatedValues> | undefined;
}

/** ProductSection (§9.5). */
export interface OvfProductSection extends OvfSectionBase {
  kind: 'ProductSection';
  class?: string | undefined;
  instance?: string | undefined;
  product?: OvfMsg | undefined;
  vendor?: OvfMsg | undefined;
  version?: OvfMsg | undefined;
  fullVersion?: OvfMsg | undefined;
  productUrl?: OvfMsg | undefined;
  vendorUrl?: OvfMsg | undefined;
  appUrl?: OvfMsg | undefined;
  icons: OvfIcon[];
  /** Categories and properties, in order. */
  entries: Array<OvfCategory | OvfProperty>;
}

/** ProductSection/Icon. */
export interface OvfIcon extends Extensible {
  fileRef: string;
  height?: string | undefined;
  width?: string | undefined;
  mimeType?: string | undefined;
}

/** ProductSection/Category: a heading for the properties that follow. */
export interface OvfCategory extends Extensible {
  entry: 'Category';
  text: OvfMsg;
}

/** ProductSection/Property (§9.5.1). */
export interface OvfProperty extends Extensible {
  entry: 'Property';
  key: string;
  /** `ovf:type`: uint8..uint64, sint8..sint64, boolean, string, real32, real64, or a CIM type. */
  type: string;
  /** `ovf:qualifiers` as written, e.g. `MinLen(1) MaxLen(64)` or `ValueMap{"a","b"}`. */
  qualifiers?: string | undefined;
  userConfigurable?: string | undefined;
  password?: string | undefined;
  /** The default value (`ovf:value`). */
  value?: string | undefined;
  label?: OvfMsg | undefined;
  description?: OvfMsg | undefined;
  /** Values per deployment configuration (`<Value ovf:value ovf:configuration>`). */
  values: OvfPropertyValue[];
}

/** ProductSection/Property/Value. */
export interface OvfPropertyValue extends Extensible {
  value: string;
  configuration?: string | undefined;
}

/** OperatingSystemSection (§9.7): `ovf:id` is a CIM_OperatingSystem.OsType number. */
export interface OvfOperatingSystemSection extends OvfSectionBase {
  kind: 'OperatingSystemSection';
  id: string;
  version?: string | undefined;
  description?: OvfMsg | undefined;
}

/** EulaSection (§9.6). */
export interface OvfEulaSection extends OvfSectionBase {
  kind: 'EulaSection';
  license: OvfMsg;
}

/** AnnotationSection (§9.4). */
export interface OvfAnnotationSection extends OvfSectionBase {
  kind: 'AnnotationSection';
  annotation: OvfMsg;
}

/** StartupSection (§9.9). */
export interface OvfStartupSection extends OvfSectionBase {
  kind: 'StartupSection';
  items: OvfStartupItem[];
}

/** StartupSection/Item; numbers kept as written. */
export interface OvfStartupItem extends Extensible {
  id: string;
  order: string;
  startDelay?: string | undefined;
  waitingForGuest?: string | undefined;
  stopDelay?: string | undefined;
  startAction?: string | undefined;
  stopAction?: string | undefined;
}

/** InstallSection (§9.11). */
export interface OvfInstallSection extends OvfSectionBase {
  kind: 'InstallSection';
  initialBootStopDelay?: string | undefined;
}

/** ResourceAllocationSection (§9.10): items like VirtualHardwareSection's, for a collection. */
export interface OvfResourceAllocationSection extends OvfSectionBase {
  kind: 'ResourceAllocationSection';
  items: OvfItem[];
}

/** A section the model does not know (vendor or future): kept whole, in place. */
export interface OvfUnknownSection extends Located {
  kind: 'Unknown';
  element: XmlElement;
  /** `ovf:required` of the element ("false" lets a consumer ignore it). */
  required?: string | undefined;
}

/** Any section. */
export type OvfSection =
  | OvfDiskSection
  | OvfNetworkSection
  | OvfDeploymentOptionSection
  | OvfVirtualHardwareSection
  | OvfProductSection
  | OvfOperatingSystemSection
  | OvfEulaSection
  | OvfAnnotationSection
  | OvfStartupSection
  | OvfInstallSection
  | OvfResourceAllocationSection
  | OvfUnknownSection;

/** The `kind` of each modelled section. */
export type OvfSectionKind = OvfSection['kind'];
