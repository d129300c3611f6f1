import { EnumerationContexts, type EnumerationLimits, type ObjectManager } from '../../cim/index.js';
import type { WsEventing } from './eventing.js';

/** What WS-Man requests are answered with: the object manager, the open enumerations, what Identify says. */
export interface WsmanDispatcher {
  om: ObjectManager;
  /** Open enumerations (encoded items), per user and bounded as the CIM-XML pull operations' are. */
  contexts: EnumerationContexts<string>;
  hostName: string;
  /** ProductVersion of Identify. */
  productVersion: string;
  /** WS-Eventing over the host's indication engine, when indications are on. */
  eventing?: WsEventing | undefined;
  /** Reports unexpected errors (answered as wsman:InternalError without details). */
  onInternalError?: ((e: unknown) => void) | undefined;
}

/**
 * Creates a WS-Man dispatcher over an object manager.
 *
 * @example
 * const d = createWsmanDispatcher(service.om, 'host1', '0.1.0');
 */
export function createWsmanDispatcher(
  om: ObjectManager,
  hostName: string,
  productVersion: string,
  onInternalError?: (e: unknown) => void,
  limits: Partial<EnumerationLimits> = {},
): WsmanDispatcher {
  return { om, contexts: new EnumerationContexts<string>(limits), hostName, productVersion, onInternalError };
}
