/**
 * Hyper-V as a managed platform (issue 12): the Api over Hyper-V's WMI v2 (root/virtualization/v2) through
 * WinRM, as libvirt's hyperv driver reads it. Names and WQL (names.ts), return codes (errors.ts), embedded
 * instances (embedded.ts), calls with job polling (session.ts), the model mapping (values.ts), DefineSystem and
 * its resources (define.ts), the systems and jobs namespaces (systems.ts, jobs.ts), the Api (api.ts).
 */

export * from './api.js';
export { embeddedInstance, wmiPath } from './embedded.js';
export { HYPERV_RETURN_CODES, returnCodeError } from './errors.js';
export { HYPERV_NAMESPACE, MICROSOFT_VENDOR, MSVM, REQUESTED_STATE, STATE_OF_ENABLED } from './names.js';
export { definitionOfSettings, instanceIdOfPath, summaryOfVm } from './values.js';
