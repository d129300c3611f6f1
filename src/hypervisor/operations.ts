import { HypervisorError } from './errors.js';
import type { DriverOperation, HypervisorDriver } from './types.js';

const ALL: DriverOperation[] = [
  'undefine',
  'start',
  'shutdown',
  'powerOff',
  'pause',
  'resume',
  'reset',
  'modify',
  'setMemory',
  'attachDevice',
  'detachDevice',
  'console',
  'screenshot',
  'stats',
  'adopt',
  'diskImages',
];

/** The optional operations a driver implements. */
export function operationsOf(driver: HypervisorDriver): DriverOperation[] {
  return ALL.filter((op) => typeof driver[op] === 'function');
}

/**
 * The driver's implementation of an optional operation, bound to it, or the one `NOT_SUPPORTED` error every
 * caller sees when it is missing.
 *
 * @example
 * await requireOperation(driver, 'pause')(uuid);
 */
export function requireOperation<K extends DriverOperation>(
  driver: HypervisorDriver,
  op: K,
): NonNullable<HypervisorDriver[K]> {
  const fn = driver[op];
  if (typeof fn !== 'function') {
    throw new HypervisorError('NOT_SUPPORTED', `The driver ${driver.uri} does not support "${op}"`);
  }
  return (fn as (...a: unknown[]) => unknown).bind(driver) as NonNullable<HypervisorDriver[K]>;
}
