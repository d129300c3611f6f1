/**
 * Storage pools: the named host folders that every image an admin names (`vm define --disk/--cdrom`, CIM
 * DefineSystem, AddResourceSettings, ModifyResourceSettings) must lie in, as ESXi datastores and libvirt storage
 * pools. The host checks each image at define, hot-plug, start and export: real path inside a pool, no device node unless
 * the pool allows devices, no references to other files.
 */
export { checkDefinitionImages, checkImage, type ImageCheck } from './check.js';
export { createPoolImage } from './create.js';
export {
  POOL_NAME,
  POOLS_FILE,
  parsePoolsFile,
  readPoolsFile,
  type StoragePool,
  writePoolsFile,
} from './file.js';
export { checkPoolName, defaultPoolFolder, inside, resolvePoolFolder } from './folder.js';
export {
  checkImageName,
  deletePoolImage,
  downloadPoolImage,
  type PoolImage,
  poolImage,
  poolImages,
  UPLOAD_TEMP_PREFIX,
  type UploadExpectation,
  uploadPoolImage,
} from './images.js';
export { DEFAULT_POOL, MAX_POOLS, StoragePools } from './pools.js';
export { refuseExternalReferences } from './references.js';
export {
  MAX_COUNTED_ENTRIES,
  type PoolSizes,
  type PoolUsage,
  poolSizes,
  poolUsage,
  poolUsers,
} from './usage.js';
export { othersToCheck, refuseSharedWriters } from './writers.js';
