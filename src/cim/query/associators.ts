import { CimError } from '../errors.js';
import type { AssociationFilter, ObjectManager } from '../object-manager.js';
import { parseObjectPath } from '../paths.js';
import type { CimContext } from '../provider.js';
import type { CimInstance, CimInstanceName } from '../types.js';
import { MAX_QUERY_CHARS } from './parse.js';

/** A parsed WQL `ASSOCIATORS OF {path} [WHERE AssocClass = A ResultClass = R Role = X ResultRole = Y]`. */
export interface AssociatorsQuery {
  object: CimInstanceName;
  filter: AssociationFilter;
}

const bad = (why: string) => new CimError('CIM_ERR_INVALID_QUERY', `ASSOCIATORS OF: ${why}`);

const FILTERS: Record<string, keyof AssociationFilter> = {
  assocclass: 'assocClass',
  resultclass: 'resultClass',
  role: 'role',
  resultrole: 'resultRole',
};

/** The path with single-quoted values rewritten in double quotes, as the object path parser reads them. */
function doubleQuoted(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c !== '"' && c !== "'") {
      out += c;
      continue;
    }
    let v = '';
    for (i++; i < path.length && path[i] !== c; i++)
      v += path[i] === '\\' && i + 1 < path.length ? path[++i] : path[i];
    if (i >= path.length) throw bad('a quoted value has no closing quote');
    out += `"${v.replace(/[\\"]/g, (x) => `\\${x}`)}"`;
  }
  return out;
}

/**
 * True when a query is WQL's `ASSOCIATORS OF` (rather than a SELECT).
 *
 * @example
 * isAssociatorsQuery("ASSOCIATORS OF {C.Name='a'}"); // true
 */
export function isAssociatorsQuery(text: string): boolean {
  return /^\s*ASSOCIATORS\s+OF\s*\{/i.test(text);
}

/**
 * Parses WQL's `ASSOCIATORS OF {Class.Key='v',...} WHERE AssocClass = A ResultClass = R` (the WMI form that
 * WS-Man clients such as libvirt's Hyper-V driver send): the object path in braces, with keys in single or double
 * quotes, and the association filters of Associators (DSP0200 §5.3.2.14). ClassDefsOnly, SchemaOnly and the
 * qualifier filters are CIM_ERR_INVALID_QUERY.
 *
 * @example
 * parseAssociatorsQuery("ASSOCIATORS OF {Vessel_ComputerSystem.CreationClassName='Vessel_ComputerSystem',Name='web1'} WHERE ResultClass = CIM_VirtualSystemSettingData");
 */
export function parseAssociatorsQuery(text: string): AssociatorsQuery {
  if (text.length > MAX_QUERY_CHARS)
    throw new CimError('CIM_ERR_INVALID_QUERY', `The query is longer than ${MAX_QUERY_CHARS} characters`);
  const m = /^\s*ASSOCIATORS\s+OF\s*\{([^{}]*)\}\s*(?:WHERE\s+(.*?))?\s*$/is.exec(text);
  if (!m) throw bad('expected ASSOCIATORS OF {object path} [WHERE ...]');
  const inner = doubleQuoted(m[1]!);
  let object: CimInstanceName;
  try {
    object = parseObjectPath(inner);
  } catch (e) {
    throw bad((e as Error).message);
  }
  const filter: AssociationFilter = {};
  const where = m[2] ?? '';
  const re = /\s*([A-Za-z]+)\s*(?:=\s*([A-Za-z_][A-Za-z0-9_]*))?/y;
  let i = 0;
  while (i < where.length) {
    re.lastIndex = i;
    const t = re.exec(where);
    if (!t || re.lastIndex === i) throw bad(`cannot read "${where.slice(i, i + 20)}"`);
    const key = FILTERS[t[1]!.toLowerCase()];
    if (!key || t[2] === undefined)
      throw bad(`"${t[1]!.slice(0, 40)}" is not supported (AssocClass, ResultClass, Role, ResultRole)`);
    filter[key] = t[2];
    i = re.lastIndex;
    while (i < where.length && /\s/.test(where[i]!)) i++;
  }
  return { object, filter };
}

/**
 * Runs `ASSOCIATORS OF` through the object manager's Associators, as the caller: the same instances CIM-XML's
 * Associators answers.
 *
 * @example
 * const list = await execAssociatorsQuery(om, ctx, 'root/virtualization', "ASSOCIATORS OF {...}");
 */
export async function execAssociatorsQuery(
  om: ObjectManager,
  ctx: CimContext,
  namespace: string,
  text: string,
): Promise<CimInstance[]> {
  const q = parseAssociatorsQuery(text);
  return om.associators(
    ctx,
    namespace,
    { ...q.object, namespace: q.object.namespace ?? namespace },
    q.filter,
  );
}
