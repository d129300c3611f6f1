import type { OvfDiagnostic } from '../diagnostics.js';
import type { OvfEnvelope } from '../types.js';
import { type Check, type ValidateOvfOptions, ValidationContext } from './context.js';
import { checkDisks } from './disks.js';
import { checkEnvelope } from './envelope.js';
import { checkExtensions } from './extensions.js';
import { checkFiles } from './files.js';
import { checkHardware } from './hardware.js';
import { checkOptions } from './options.js';
import { checkProducts } from './product.js';
import { checkSections } from './sections.js';
import { checkTarget } from './targets.js';

export type { OvfTarget, ValidateOvfOptions } from './context.js';

const CHECKS: ReadonlyArray<[string, Check]> = [
  ['envelope', checkEnvelope],
  ['files', checkFiles],
  ['sections', checkSections],
  ['extensions', checkExtensions],
  ['disks', checkDisks],
  ['hardware', checkHardware],
  ['products', checkProducts],
  ['options', checkOptions],
  ['target', checkTarget],
];

const RANK = { error: 0, warning: 1, info: 2 } as const;

/**
 * Validates a parsed descriptor and returns its diagnostics, in document order (those without a line last).
 * References must resolve, units parse exactly (DSP0004), values be in range, InstanceIDs be unique, required
 * sections be present and ResourceTypes and property values be valid; see `OVF_DIAGNOSTICS` for every code.
 * `lax` reports portability errors as warnings (as `ovftool --lax`); `target` adds warnings about what that
 * platform rejects. Never throws: a check that fails unexpectedly is reported as `OVF_CHECK_FAILED`.
 *
 * @example
 * const env = parseOvf(readFileSync('appliance.ovf'), { file: 'appliance.ovf' });
 * const errors = validateOvf(env, { target: 'vmware' }).filter((d) => d.severity === 'error');
 */
export function validateOvf(env: OvfEnvelope, options: ValidateOvfOptions = {}): OvfDiagnostic[] {
  let ctx: ValidationContext;
  try {
    ctx = new ValidationContext(env, options);
  } catch (e) {
    return [failure('index', e, options.file)];
  }
  for (const [name, check] of CHECKS) {
    try {
      check(ctx);
    } catch (e) {
      ctx.diagnostics.push(failure(name, e, options.file));
    }
  }
  return ctx.diagnostics
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        (a.d.line ?? Number.MAX_SAFE_INTEGER) - (b.d.line ?? Number.MAX_SAFE_INTEGER) ||
        RANK[a.d.severity] - RANK[b.d.severity] ||
        a.i - b.i,
    )
    .map((x) => x.d);
}

function failure(check: string, e: unknown, file: string | undefined): OvfDiagnostic {
  const why = e instanceof Error ? e.message : String(e);
  return {
    code: 'OVF_CHECK_FAILED',
    severity: 'error',
    message: `The ${check} checks failed on ${file ?? 'this descriptor'}: ${why}`,
    hint: 'This is a bug in Vessel; please report it with the descriptor.',
  };
}
