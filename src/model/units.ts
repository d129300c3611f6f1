/**
 * Former home of the unit helpers, now src/model/units/. Kept only so that model files still importing
 * `./units.js` compile while issue 10's lanes land; import from `./units/index.js` (step Z removes this file).
 */
export * from './units/index.js';
