import type { OvfDiagnostic } from '../diagnostics.js';
import { OvfError } from '../errors.js';
import { formatOvf } from '../format.js';
import { envelopeNamespace, OVF09_NS } from '../namespaces.js';
import { parseOvf } from '../parse.js';
import type { OvfEnvelope } from '../types.js';
import { validateOvf } from '../validate/validate.js';

/**
 * An edit never writes a descriptor that validates worse than before: what `validateOvf` finds in the edited
 * descriptor (written and read again, so that lines are the new file's) is compared with what it found before.
 */

/**
 * An error's identity across an edit: its code and message, line numbers in the message left out and the 0.9
 * namespace read as 1.0 (a 0.9 descriptor is written as 1.0).
 */
const key = (d: OvfDiagnostic) =>
  `${d.code}\u0000${d.message.replace(/\bline \d+/g, 'line ?').replaceAll(OVF09_NS, envelopeNamespace('1'))}`;

/**
 * The errors of the edited descriptor that the descriptor did not have before the edit (`before`: what
 * `validateOvf` found then), each counted as often as it appears.
 */
export function errorsAdded(before: readonly OvfDiagnostic[], after: OvfEnvelope): OvfDiagnostic[] {
  const had = new Map<string, number>();
  for (const d of before) if (d.severity === 'error') had.set(key(d), (had.get(key(d)) ?? 0) + 1);
  const out: OvfDiagnostic[] = [];
  for (const d of validateOvf(parseOvf(formatOvf(after)))) {
    if (d.severity !== 'error') continue;
    const n = had.get(key(d)) ?? 0;
    if (n > 0) had.set(key(d), n - 1);
    else out.push(d);
  }
  return out;
}

/**
 * Refuses an edit that makes the descriptor invalid: throws `OVF_EDIT` listing each error the edit adds (code,
 * message, line in the edited text). Errors the descriptor had already do not refuse an edit.
 *
 * @example
 * const before = validateOvf(env); addNic(env, system, 'lan'); assertEditValid(before, env);
 */
export function assertEditValid(before: readonly OvfDiagnostic[], after: OvfEnvelope): void {
  const added = errorsAdded(before, after);
  if (added.length === 0) return;
  const said = added
    .slice(0, 5)
    .map((d) => `${d.code}: ${d.message}`)
    .join('; ');
  throw new OvfError(
    'OVF_EDIT',
    `The edit would make the descriptor invalid, so nothing was written: ${said}${added.length > 5 ? ` (and ${added.length - 5} more)` : ''}`,
    { hint: 'Run vessel ovf validate on the input to see what the descriptor needs' },
  );
}
