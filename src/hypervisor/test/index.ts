/** The in-memory `test:///` driver. */
export { TestDriver, type TestDriverOptions } from './driver.js';
