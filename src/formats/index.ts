/**
 * Other platforms' native VM formats, converted to and from the one model: VMware .vmx, libvirt domain XML,
 * VirtualBox .vbox, a Hyper-V definition (DefineSystem's CIM instances) and KubeVirt VirtualMachine manifests,
 * with OVF as the pivot (`vessel convert IN --to FORMAT`). Each format is a folder with a read/write pair over a
 * {@link SystemPackage} (VSSD + RASDs and the images they reference) and its `words.ts`: the format's words for the
 * model's controller kinds and NIC models in one two-way table, and its slot limits. Readers build with the model's
 * `DefinitionBuilder`; writers work from the model's device view (`readDevices`, `placeDrives`, `SUBSTITUTES`)
 * through `target.ts`. Every conversion reports what its target cannot express. Depends on model, ovf and xml only.
 */

export * from './convert.js';
export * from './detect.js';
export * from './errors.js';
export * from './guest-os.js';
export * from './hyperv/read.js';
export * from './hyperv/write.js';
export * from './kubevirt/read.js';
export * from './kubevirt/write.js';
export * from './libvirt/read.js';
export * from './libvirt/write.js';
export * from './ovf-read.js';
export * from './ovf-write.js';
export * from './types.js';
export * from './vbox/read.js';
export * from './vbox/write.js';
export * from './vmx/read.js';
export * from './vmx/write.js';
export { Warnings } from './warnings.js';
