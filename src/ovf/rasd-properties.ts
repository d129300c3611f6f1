import { ovfItemProperties } from '../model/index.js';

/**
 * The properties the DMTF CIM_ResourceAllocationSettingData XSD used by OVF 1.x (DSP8023 1.1, CIM 2.x) names,
 * alphabetically as the XSD lists them; an OVF 1.x Item that carries any other property is not schema-valid.
 * Writers that must produce schema-valid descriptors (export, `vessel convert --to ovf`) keep to these. Derived
 * from the model's property schema (`ovfItemProperties('1', 'RASD')`), which also gives the OVF 2.x lists.
 */
export const OVF1_RASD_PROPERTIES: ReadonlySet<string> = ovfItemProperties('1', 'RASD');
