/** The in-memory `test:///` driver. */

export { encodePng, pngSize } from '../png.js';
export { TEST_GUEST_IGNORES_SHUTDOWN, TestDriver, type TestDriverOptions } from './driver.js';
export { openTestDriver, TEST_INVENTORY_FILE } from './open.js';
