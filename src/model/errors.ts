/**
 * The one base error of Vessel. Every domain declares its codes in its own `errors.ts` as a literal union and
 * throws a subclass of {@link VesselError}; each edge (CLI, REST, CIM-XML, WS-Man) maps codes exactly once.
 *
 * @example
 * throw new ModelError('MODEL_INVALID', 'Memory must be at least 1 MiB, got 0 bytes');
 */
export class VesselError<C extends string = string> extends Error {
  /** A stable, machine-readable code such as `OVF_XML_SYNTAX`. */
  readonly code: C;
  /** Where the problem is, when it comes from a file: path, 1-based line and column. */
  readonly location: SourceLocation | undefined;
  /** A short suggestion of what to do about it. */
  readonly hint: string | undefined;

  constructor(code: C, message: string, options: VesselErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }

  /** The message prefixed with `file:line:column: ` when the location is known. */
  describe(): string {
    return this.location ? `${formatLocation(this.location)}: ${this.message}` : this.message;
  }
}

/** Options accepted by every {@link VesselError} constructor. */
export interface VesselErrorOptions {
  cause?: unknown;
  location?: SourceLocation | undefined;
  hint?: string | undefined;
}

/** A place in a file; line and column are 1-based. */
export interface SourceLocation {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

/** Formats a location as `file:line:column`, leaving out the parts that are unknown. */
export function formatLocation(loc: SourceLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(String(loc.line));
  if (loc.line !== undefined && loc.column !== undefined) parts.push(String(loc.column));
  return parts.join(':');
}

/** Error codes of the model itself. */
export type ModelErrorCode = 'MODEL_INVALID' | 'MODEL_UNITS' | 'NOT_SUPPORTED';

/**
 * One refused member of a JSON document (a definition as the Api takes it): an RFC 6901 JSON Pointer to it and
 * what is wrong, the shape of RFC 9457 §3's `errors` extension.
 */
export interface FieldProblem {
  /** `/system/ElementName`, `/resources/3` (the fourth resource), `` for the document as a whole. */
  pointer: string;
  detail: string;
}

/**
 * A definition or a value that the model refuses; `fields` names each refused member of the definition.
 *
 * @example
 * throw new ModelError('MODEL_INVALID', 'Invalid definition "web1": ...', { fields: [{ pointer: '/resources/1', detail: 'Memory must be ...' }] });
 */
export class ModelError extends VesselError<ModelErrorCode> {
  /** The refused members of the definition, when it is a definition that is refused. */
  readonly fields: readonly FieldProblem[] | undefined;

  constructor(
    code: ModelErrorCode,
    message: string,
    options: VesselErrorOptions & { fields?: FieldProblem[] } = {},
  ) {
    super(code, message, options);
    this.fields = options.fields;
  }
}
