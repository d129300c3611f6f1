/** The in-memory `test:///` driver. */
export { TestDriver, type TestDriverOptions } from './driver.js';
export { openTestDriver, TEST_INVENTORY_FILE } from './open.js';
