import { CimError } from './errors.js';
import type { CimContext } from './provider.js';

/** What a CIM operation does, for the role check. */
export type CimAction =
  | { kind: 'read' }
  | { kind: 'modify'; className: string }
  | { kind: 'invoke'; className: string; method: string };

/** Extrinsic methods that only read (CIM_ConcreteJob.GetError/GetErrors): any role may call them. */
const READ_ONLY_METHODS = new Set(['geterror', 'geterrors']);

/** Methods an operator may call: changing the state of a virtual system (DSP1057 RequestStateChange). */
const OPERATOR_METHODS = new Set(['requeststatechange']);

/**
 * Checks the caller's role for an action, or throws CIM_ERR_ACCESS_DENIED. `reader` may read (and call read-only
 * methods), `operator` may also change the state of virtual systems, `admin` may do anything.
 *
 * @example
 * authorize(ctx, { kind: 'invoke', className: 'Vessel_VirtualSystemManagementService', method: 'DefineSystem' });
 */
export function authorize(ctx: CimContext, action: CimAction): void {
  if (action.kind === 'read' || ctx.role === 'admin') return;
  if (action.kind === 'invoke') {
    const m = action.method.toLowerCase();
    if (READ_ONLY_METHODS.has(m)) return;
    if (ctx.role === 'operator' && OPERATOR_METHODS.has(m) && action.className === 'Vessel_ComputerSystem')
      return;
    throw new CimError(
      'CIM_ERR_ACCESS_DENIED',
      `User "${ctx.user}" (role ${ctx.role}) may not call ${action.className}.${action.method}`,
    );
  }
  throw new CimError(
    'CIM_ERR_ACCESS_DENIED',
    `User "${ctx.user}" (role ${ctx.role}) may not modify instances of ${action.className}`,
  );
}
