/**
 * The host: one process that owns its hypervisor driver (QEMU by default), keeps definitions, states, events and
 * jobs in SQLite in one state directory, serialises state changes per system, re-adopts running systems after a
 * restart, and serves other `vessel` commands on a unix socket in that directory.
 */
export { openSession, type SessionContext, storeUsers, toApiError } from './api/index.js';
export {
  DEPLOY_METADATA,
  type DeployedVm,
  type DeployRequest,
  type DeployResult,
  deployPackage,
  VESSEL_PLATFORM_VERSION,
} from './deploy/deploy.js';
export {
  buildGuestPackage,
  type GuestPackageOptions,
  type GuestProperty,
  writeGuestDescriptor,
} from './deploy/guest.js';
export * from './errors.js';
export { type DeployedPackage, readDeployedPackage } from './export/deployed.js';
export { type ExportInput, type ExportOptions, type ExportResult, exportSystem } from './export/export.js';
export { EXPORT_TARGETS, type ExportTarget, TARGET_PROFILES } from './export/target.js';
export {
  type ChangeOptions,
  DEFAULT_DRIVER_URI,
  Host,
  type HostInfo,
  type VmOperation,
  type VmSummary,
} from './host.js';
export { KeyedLock } from './lock.js';
export { databasePath, hostSocketPath, resolveStateDir } from './paths.js';
export {
  DEFAULT_POOL,
  POOLS_FILE,
  type PoolUsage,
  type StoragePool,
  StoragePools,
} from './pools/index.js';
export {
  connectHostApi,
  type HostSocketTarget,
  type ServeHostApiOptions,
  serveHostApi,
} from './socket/index.js';
export type { HostEvent, HostVmState, Job, StoredVm } from './store.js';
export { Store } from './store.js';
export { MAX_TOKENS, TOKENS_FILE, type TokenEntry, TokenStore } from './tokens.js';
export { checkPassword, hashPassword, USERS_FILE, type UserEntry, UserStore } from './users.js';
