import { CimError } from './errors.js';
import type { ClassRepository } from './repository.js';
import type { CimInstanceName } from './types.js';

/**
 * Object paths in their untyped text form (DSP0207 / the CIMObject header / wbemcli):
 * `[//host/]namespace:Class.Key1="text",Key2=42`, with `\"` and `\\` escaped inside quoted values and a
 * reference-typed key written as a quoted path.
 *
 * @example
 * formatObjectPath({ className: 'Vessel_ComputerSystem', namespace: 'root/virtualization',
 *   keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'web1' } });
 * // 'root/virtualization:Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="web1"'
 */
export function formatObjectPath(
  name: CimInstanceName,
  options: { numeric?: ReadonlySet<string> } = {},
): string {
  let s = name.host ? `//${name.host}/` : '';
  if (name.namespace) s += `${name.namespace}:`;
  s += name.className;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(name.keys)) {
    if (typeof v !== 'string') parts.push(`${k}=${quote(formatObjectPath(v))}`);
    else if (options.numeric?.has(k.toLowerCase()) || /^(TRUE|FALSE)$/.test(v)) parts.push(`${k}=${v}`);
    else parts.push(`${k}=${quote(v)}`);
  }
  return parts.length ? `${s}.${parts.join(',')}` : s;
}

function quote(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Parses the text form of an object path; a path without keys names a class. Values that look like paths are
 * left as text (untyped), as the text form cannot tell them apart; callers resolve them against the class.
 */
export function parseObjectPath(text: string): CimInstanceName {
  let rest = text.trim();
  let host: string | undefined;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    if (slash < 0) throw bad(text, 'a host must be followed by /namespace');
    host = rest.slice(2, slash);
    rest = rest.slice(slash + 1);
  }
  let namespace: string | undefined;
  const dot = rest.indexOf('.');
  const colon = rest.indexOf(':');
  if (colon >= 0 && (dot < 0 || colon < dot)) {
    namespace = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const d = rest.indexOf('.');
  const className = (d < 0 ? rest : rest.slice(0, d)).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(className)) throw bad(text, `"${className}" is not a class name`);
  const keys: Record<string, string> = {};
  if (d >= 0) {
    const body = rest.slice(d + 1);
    let i = 0;
    while (i < body.length) {
      const eq = body.indexOf('=', i);
      if (eq < 0) throw bad(text, 'a key binding has no "="');
      const k = body.slice(i, eq).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw bad(text, `"${k}" is not a property name`);
      i = eq + 1;
      let v = '';
      if (body[i] === '"') {
        i++;
        for (;;) {
          if (i >= body.length) throw bad(text, `the value of ${k} has no closing quote`);
          const c = body[i]!;
          if (c === '\\' && i + 1 < body.length) {
            v += body[i + 1];
            i += 2;
            continue;
          }
          if (c === '"') {
            i++;
            break;
          }
          v += c;
          i++;
        }
      } else {
        const comma = body.indexOf(',', i);
        v = (comma < 0 ? body.slice(i) : body.slice(i, comma)).trim();
        i = comma < 0 ? body.length : comma;
      }
      keys[k] = v;
      if (i < body.length) {
        if (body[i] !== ',') throw bad(text, `unexpected "${body[i]}" after the value of ${k}`);
        i++;
      }
    }
  }
  return { className, keys, namespace, host };
}

function asPath(v: string | CimInstanceName): CimInstanceName {
  if (typeof v !== 'string') return v;
  try {
    return parseObjectPath(v);
  } catch {
    return { className: '', keys: { '': v } };
  }
}

function bad(text: string, why: string): CimError {
  return new CimError('CIM_ERR_INVALID_PARAMETER', `Object path "${text}" is not valid: ${why}`);
}

/**
 * True when two paths name the same instance: same keys (names compared without case, values exactly,
 * references recursively), classes related by inheritance when a repository is given, same namespace when
 * both have one.
 */
export function samePath(
  a: CimInstanceName,
  b: CimInstanceName,
  repo?: ClassRepository,
  defaultNs?: string,
): boolean {
  const an = a.namespace ?? defaultNs;
  const bn = b.namespace ?? defaultNs;
  if (an !== undefined && bn !== undefined && an.toLowerCase() !== bn.toLowerCase()) return false;
  const ak = Object.keys(a.keys);
  const bk = Object.keys(b.keys);
  if (ak.length !== bk.length) return false;
  // Key names compare case-insensitively (DSP0004 §5.1); one map keeps this linear in the number of keys.
  const byName = new Map(bk.map((x) => [x.toLowerCase(), x]));
  for (const k of ak) {
    const other = byName.get(k.toLowerCase());
    if (other === undefined) return false;
    const va = a.keys[k]!;
    const vb = b.keys[other]!;
    if (typeof va === 'string' && typeof vb === 'string') {
      if (va !== vb) return false;
    } else if (!samePath(asPath(va), asPath(vb), repo, an ?? bn)) return false;
  }
  if (repo && an !== undefined) {
    const ns = repo.findNamespace(an);
    if (ns && !ns.isA(a.className, b.className) && !ns.isA(b.className, a.className)) return false;
  }
  return true;
}
