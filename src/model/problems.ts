/**
 * Findings about a definition: what reading and checking it found. Validators return them, never throw; an edge
 * turns errors into a refusal (`assertValidDefinition`) and shows warnings.
 */

/** What kind of problem a definition has. */
export type DefinitionProblemCode =
  | 'MISSING'
  | 'CONTRADICTORY'
  | 'BEYOND_HOST'
  | 'INVALID_VALUE'
  | 'UNSUPPORTED'
  | 'IGNORED';

/**
 * One finding about a definition; `instanceId` names the RASD it is about, when it is about one; `pointer` the
 * member of the definition otherwise (RFC 6901, e.g. `/system/ElementName`).
 */
export interface DefinitionProblem {
  code: DefinitionProblemCode;
  severity: 'error' | 'warning';
  message: string;
  instanceId?: string;
  hint?: string;
  pointer?: string;
}

/**
 * A finding, without the properties that are undefined (the model's types are exact about optional ones).
 *
 * @example
 * problem('warning', 'IGNORED', 'Resource "7" (Parallel port) is ignored by this host', '7');
 */
export function problem(
  severity: DefinitionProblem['severity'],
  code: DefinitionProblemCode,
  message: string,
  instanceId?: string,
  hint?: string,
  pointer?: string,
): DefinitionProblem {
  return {
    code,
    severity,
    message,
    ...(instanceId === undefined ? {} : { instanceId }),
    ...(hint === undefined ? {} : { hint }),
    ...(pointer === undefined ? {} : { pointer }),
  };
}
