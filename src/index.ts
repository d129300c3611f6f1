/** Vessel's library (SDK): the model and every domain, for programs that embed Vessel. */
export * as model from './model/index.js';
export * as xml from './xml/index.js';
