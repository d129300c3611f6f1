import {
  assertValidDefinition,
  type HostLimits,
  ModelError,
  type SlotPolicy,
  type VirtualSystemDefinition,
} from '../model/index.js';
import { HypervisorError } from './errors.js';
import { checkImagesExist } from './files.js';
import type { DriverDiagnostic } from './types.js';

/** Where a system's diagnostics point: `"web1"`. */
export function systemLocation(def: VirtualSystemDefinition): string {
  return `"${def.system.ElementName ?? def.system.VirtualSystemIdentifier ?? ''}"`;
}

/** A diagnostic from a thrown driver or model error; anything else is a bug and is thrown again. */
export function diagnosticOf(e: unknown, location: string): DriverDiagnostic {
  if (e instanceof HypervisorError) {
    return {
      code: e.code,
      severity: 'error',
      location,
      message: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
    };
  }
  if (e instanceof ModelError) {
    return {
      code: 'DEFINITION_INVALID',
      severity: 'error',
      location,
      message: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
    };
  }
  throw e;
}

/**
 * The checks every driver starts its `validate` with: the model's rules within `limits` and the driver's slot
 * policy `o.slots` (the model's own by default; unless `modelChecked`: a define whose `DomainTable.prepare` checked
 * them already), then, for a define, that every image exists and can be an image (`checkImagesExist`). Returns the
 * problems as diagnostics; the driver adds its own (QEMU: its device table and command line) when these pass.
 */
export function commonDiagnostics(
  def: VirtualSystemDefinition,
  purpose: 'define' | 'deploy',
  limits: HostLimits,
  o: { modelChecked?: boolean; slots?: SlotPolicy } = {},
): DriverDiagnostic[] {
  const where = systemLocation(def);
  try {
    if (!o.modelChecked) assertValidDefinition(def, limits, o.slots);
  } catch (e) {
    return [diagnosticOf(e, where)];
  }
  if (purpose === 'define') {
    try {
      checkImagesExist(def);
    } catch (e) {
      return [diagnosticOf(e, where)];
    }
  }
  return [];
}

/**
 * Throws the first error of a `validate` answer as the driver error it describes (what `define` does with it).
 *
 * @example
 * throwFirstError(await driver.validate(def, 'define'));
 */
export function throwFirstError(diagnostics: readonly DriverDiagnostic[]): void {
  const first = diagnostics.find((d) => d.severity === 'error');
  if (first !== undefined) {
    throw new HypervisorError(
      first.code,
      first.message,
      first.hint === undefined ? {} : { hint: first.hint },
    );
  }
}
