#!/usr/bin/env node
/**
 * Generates src/libvirt/generated/remote.ts from libvirt's RPC protocol definitions (remote_protocol.x,
 * virnetprotocol.x, virkeepaliveprotocol.x; RFC 4506 XDR language), as go-libvirt's lvgen does: every constant and
 * procedure number, and XDR descriptors plus TypeScript types for the procedures Vessel calls (PROCEDURES below)
 * and the types they reach. The .x files are read in place (../shared/libvirt/protocol, or the directory given)
 * and are not committed; only the output is.
 *
 *   node scripts/gen-libvirt.mjs [--check] [PROTOCOL_DIR]
 *
 * --check writes nothing and exits 1 when the committed file differs from what the inputs give.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'src/libvirt/generated/remote.ts');
const INPUTS = ['virnetprotocol.x', 'virkeepaliveprotocol.x', 'remote_protocol.x'];

/** The procedures (REMOTE_PROC_ without the prefix) whose argument, return and message types are generated. */
const PROCEDURES = [
  'CONNECT_OPEN',
  'CONNECT_CLOSE',
  'CONNECT_GET_TYPE',
  'CONNECT_GET_VERSION',
  'CONNECT_GET_LIB_VERSION',
  'CONNECT_GET_HOSTNAME',
  'CONNECT_GET_CAPABILITIES',
  'CONNECT_GET_DOMAIN_CAPABILITIES',
  'CONNECT_SUPPORTS_FEATURE',
  'AUTH_LIST',
  'CONNECT_LIST_ALL_DOMAINS',
  'CONNECT_GET_ALL_DOMAIN_STATS',
  'CONNECT_REGISTER_CLOSE_CALLBACK',
  'CONNECT_UNREGISTER_CLOSE_CALLBACK',
  'DOMAIN_LOOKUP_BY_NAME',
  'DOMAIN_LOOKUP_BY_UUID',
  'DOMAIN_DEFINE_XML',
  'DOMAIN_DEFINE_XML_FLAGS',
  'DOMAIN_UNDEFINE',
  'DOMAIN_UNDEFINE_FLAGS',
  'DOMAIN_CREATE',
  'DOMAIN_CREATE_WITH_FLAGS',
  'DOMAIN_DESTROY',
  'DOMAIN_DESTROY_FLAGS',
  'DOMAIN_SHUTDOWN',
  'DOMAIN_SHUTDOWN_FLAGS',
  'DOMAIN_REBOOT',
  'DOMAIN_RESET',
  'DOMAIN_SUSPEND',
  'DOMAIN_RESUME',
  'DOMAIN_GET_STATE',
  'DOMAIN_GET_INFO',
  'DOMAIN_GET_XML_DESC',
  'DOMAIN_IS_ACTIVE',
  'DOMAIN_OPEN_CONSOLE',
  'DOMAIN_SCREENSHOT',
  'DOMAIN_HAS_MANAGED_SAVE_IMAGE',
  'DOMAIN_SNAPSHOT_NUM',
  'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY',
  'CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY',
  'DOMAIN_EVENT_CALLBACK_LIFECYCLE',
  'DOMAIN_EVENT_CALLBACK_REBOOT',
  'DOMAIN_ATTACH_DEVICE_FLAGS',
  'DOMAIN_DETACH_DEVICE_FLAGS',
  'DOMAIN_SET_METADATA',
  'STORAGE_POOL_LOOKUP_BY_NAME',
  'STORAGE_POOL_REFRESH',
  'STORAGE_VOL_CREATE_XML',
  'STORAGE_VOL_DELETE',
  'STORAGE_VOL_LOOKUP_BY_NAME',
  'STORAGE_VOL_LOOKUP_BY_PATH',
  'STORAGE_VOL_GET_PATH',
  'STORAGE_VOL_UPLOAD',
  'STORAGE_VOL_DOWNLOAD',
];
/** Types generated even when no procedure above reaches them. */
const EXTRA_TYPES = ['virNetMessageHeader', 'virNetMessageError'];
/** Constants that the .x files take from libvirt's C headers (virterror.h, libvirt-common.h, libvirt-host.h). */
const EXTERNAL = {
  VIR_UUID_BUFLEN: 16,
  VIR_SECURITY_MODEL_BUFLEN: 257,
  VIR_SECURITY_LABEL_BUFLEN: 4097,
  VIR_SECURITY_DOI_BUFLEN: 257,
  VIR_TYPED_PARAM_INT: 1,
  VIR_TYPED_PARAM_UINT: 2,
  VIR_TYPED_PARAM_LLONG: 3,
  VIR_TYPED_PARAM_ULLONG: 4,
  VIR_TYPED_PARAM_DOUBLE: 5,
  VIR_TYPED_PARAM_BOOLEAN: 6,
  VIR_TYPED_PARAM_STRING: 7,
};

/** Splits .x text into tokens, dropping comments and `%` pass-through lines. */
function tokenize(text, file) {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/^%.*$/gm, '');
  const out = [];
  const re = /\s*(?:(0x[0-9a-fA-F]+|-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|([{}[\]<>;=,:*()]))/y;
  let m;
  let line = 1;
  let at = 0;
  while (at < src.length) {
    re.lastIndex = at;
    m = re.exec(src);
    if (m === null) {
      if (/^\s*$/.test(src.slice(at))) break;
      throw new Error(`${file}:${line}: cannot read "${src.slice(at, at + 20).trim()}"`);
    }
    line += (m[0].match(/\n/g) ?? []).length;
    at = re.lastIndex;
    out.push({ text: m[1] ?? m[2] ?? m[3], num: m[1] !== undefined, line, file });
  }
  return out;
}

/** A recursive-descent parser of the XDR language (RFC 4506 §6) as libvirt uses it. */
function parse(tokens, defs) {
  let i = 0;
  const peek = () => tokens[i];
  const where = () => `${peek()?.file ?? 'end'}:${peek()?.line ?? ''}`;
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new Error('unexpected end of input');
    return t.text;
  };
  const expect = (s) => {
    const at = where();
    const t = next();
    if (t !== s) throw new Error(`${at}: expected "${s}", found "${t}"`);
  };
  const value = () => {
    const t = next();
    return /^(0x|-?\d)/.test(t) ? Number(t) : { ref: t };
  };
  const typeSpec = () => {
    const t = next();
    if (t === 'unsigned') {
      const n = peek()?.text;
      if (n === 'int' || n === 'hyper' || n === 'char' || n === 'short') {
        i++;
        return { base: n === 'hyper' ? 'uhyper' : 'uint' };
      }
      return { base: 'uint' };
    }
    if (['int', 'hyper', 'bool', 'float', 'double', 'void', 'string', 'opaque'].includes(t))
      return { base: t };
    return { ref: t };
  };
  const decl = () => {
    const spec = typeSpec();
    if (spec.base === 'void') return { name: undefined, type: { base: 'void' } };
    let optional = false;
    if (peek()?.text === '*') {
      i++;
      optional = true;
    }
    const name = next();
    let type = spec;
    if (peek()?.text === '[') {
      i++;
      const length = value();
      expect(']');
      type = spec.base === 'opaque' ? { base: 'opaque', length } : { base: 'array', of: spec, length };
    } else if (peek()?.text === '<') {
      i++;
      const max = peek()?.text === '>' ? undefined : value();
      expect('>');
      if (spec.base === 'string') type = { base: 'string', max };
      else if (spec.base === 'opaque') type = { base: 'varOpaque', max };
      else type = { base: 'varArray', of: spec, max };
    }
    if (optional) type = { base: 'optional', of: type };
    return { name, type };
  };
  while (i < tokens.length) {
    const at = where();
    const kw = next();
    if (kw === 'const') {
      const name = next();
      expect('=');
      defs.consts.set(name, value());
    } else if (kw === 'typedef') {
      const d = decl();
      defs.types.set(d.name, { kind: 'typedef', type: d.type });
    } else if (kw === 'struct') {
      const name = next();
      expect('{');
      const fields = [];
      while (peek()?.text !== '}') {
        fields.push(decl());
        expect(';');
      }
      expect('}');
      defs.types.set(name, { kind: 'struct', fields });
    } else if (kw === 'enum') {
      const name = next();
      expect('{');
      const values = [];
      while (peek()?.text !== '}') {
        const n = next();
        expect('=');
        const v = value();
        values.push([n, v]);
        defs.consts.set(n, v);
        if (peek()?.text === ',') i++;
      }
      expect('}');
      defs.types.set(name, { kind: 'enum', values });
    } else if (kw === 'union') {
      const name = next();
      expect('switch');
      expect('(');
      const disc = decl();
      expect(')');
      expect('{');
      const arms = [];
      let otherwise;
      while (peek()?.text !== '}') {
        const values = [];
        let isDefault = false;
        while (peek()?.text === 'case' || peek()?.text === 'default') {
          if (next() === 'case') values.push(value());
          else isDefault = true;
          expect(':');
        }
        const d = decl();
        expect(';');
        if (isDefault) otherwise = d;
        if (values.length > 0) arms.push({ values, decl: d });
      }
      expect('}');
      defs.types.set(name, { kind: 'union', disc: disc.type, arms, otherwise });
    } else {
      throw new Error(`${at}: unexpected "${kw}"`);
    }
    expect(';');
  }
}

const pascal = (s) =>
  s
    .split('_')
    .filter((p) => p !== '')
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');

function generate(dir) {
  const defs = { consts: new Map(), types: new Map() };
  for (const f of INPUTS) parse(tokenize(readFileSync(join(dir, f), 'utf8'), f), defs);
  const constant = (v) => {
    if (typeof v === 'number') return v;
    if (defs.consts.has(v.ref)) return constant(defs.consts.get(v.ref));
    if (v.ref in EXTERNAL) return EXTERNAL[v.ref];
    throw new Error(`unknown constant ${v.ref}`);
  };
  const procs = defs.types
    .get('remote_procedure')
    .values.map(([n, v]) => [n.replace(/^REMOTE_PROC_/, ''), v]);
  const procNames = new Set(procs.map(([n]) => n));
  const wanted = [...EXTRA_TYPES];
  const table = [];
  for (const p of PROCEDURES) {
    if (!procNames.has(p)) throw new Error(`no procedure REMOTE_PROC_${p}`);
    const base = `remote_${p.toLowerCase()}`;
    const row = { name: p };
    for (const part of ['args', 'ret', 'msg']) {
      if (defs.types.has(`${base}_${part}`)) {
        row[part] = `${base}_${part}`;
        wanted.push(row[part]);
      }
    }
    table.push(row);
  }
  // The types reached, dependencies first.
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const t = defs.types.get(name);
    if (t === undefined) throw new Error(`unknown type ${name}`);
    const refs = [];
    const walk = (ty) => {
      if (ty.ref !== undefined) refs.push(ty.ref);
      if (ty.of !== undefined) walk(ty.of);
    };
    if (t.kind === 'typedef') walk(t.type);
    if (t.kind === 'struct') for (const f of t.fields) walk(f.type);
    if (t.kind === 'union') {
      walk(t.disc);
      for (const a of t.arms) walk(a.decl.type);
      if (t.otherwise) walk(t.otherwise.type);
    }
    for (const r of refs) visit(r);
    order.push(name);
  };
  for (const w of wanted) visit(w);

  const desc = (ty) => {
    if (ty.ref !== undefined) return pascal(ty.ref);
    switch (ty.base) {
      case 'string':
        return ty.max === undefined ? 'xdr.string()' : `xdr.string(${constant(ty.max)})`;
      case 'opaque':
        return `xdr.opaque(${constant(ty.length)})`;
      case 'varOpaque':
        return ty.max === undefined ? 'xdr.varOpaque()' : `xdr.varOpaque(${constant(ty.max)})`;
      case 'array':
        return `xdr.array(${desc(ty.of)}, ${constant(ty.length)})`;
      case 'varArray':
        return ty.max === undefined
          ? `xdr.varArray(${desc(ty.of)})`
          : `xdr.varArray(${desc(ty.of)}, ${constant(ty.max)})`;
      case 'optional':
        return `xdr.optional(${desc(ty.of)})`;
      default:
        return `xdr.${ty.base}`;
    }
  };
  const tsType = (ty) => {
    if (ty.ref !== undefined) return pascal(ty.ref);
    switch (ty.base) {
      case 'string':
        return 'string';
      case 'opaque':
      case 'varOpaque':
        return 'Buffer';
      case 'array':
      case 'varArray': {
        const inner = tsType(ty.of);
        return inner.includes(' ') ? `(${inner})[]` : `${inner}[]`;
      }
      case 'optional':
        return `${tsType(ty.of)} | undefined`;
      case 'hyper':
      case 'uhyper':
        return 'bigint';
      case 'bool':
        return 'boolean';
      case 'void':
        return 'undefined';
      default:
        return 'number';
    }
  };
  const out = [];
  out.push(
    `// Generated by scripts/gen-libvirt.mjs from libvirt 9.0.0's ${INPUTS.join(', ')}: do not edit.`,
    '// Regenerate: node scripts/gen-libvirt.mjs (reads ../shared/libvirt/protocol).',
    "import { type XdrType, xdr } from '../xdr/types.js';",
    '',
    '/** Every constant of the protocol files (and the enum values), by its libvirt name. */',
    'export const LIBVIRT_CONSTANTS = {',
  );
  for (const [n, v] of [...defs.consts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (n.startsWith('REMOTE_PROC_')) continue;
    out.push(`  ${n}: ${constant(v)},`);
  }
  out.push('} as const;', '', '/** Every procedure of REMOTE_PROGRAM, by name (REMOTE_PROC_ left out). */');
  out.push('export const REMOTE_PROCEDURES = {');
  for (const [n, v] of procs) out.push(`  ${n}: ${constant(v)},`);
  out.push('} as const;', '');
  for (const name of order) {
    const t = defs.types.get(name);
    const P = pascal(name);
    out.push(`/** XDR \`${name}\`. */`);
    if (t.kind === 'typedef') {
      out.push(`export type ${P} = ${tsType(t.type)};`);
      out.push(`export const ${P}: XdrType<${P}> = ${desc(t.type)};`);
    } else if (t.kind === 'enum') {
      out.push(`export type ${P} = number;`);
      const vals = t.values.map(([n, v]) => `${n}: ${constant(v)}`).join(', ');
      out.push(`export const ${P}: XdrType<${P}> = xdr.enumOf('${name}', { ${vals} });`);
    } else if (t.kind === 'struct') {
      out.push(`export interface ${P} {`);
      for (const f of t.fields) {
        const opt = f.type.base === 'optional' || defs.types.get(f.type.ref)?.type?.base === 'optional';
        out.push(
          `  ${f.name}${opt ? '?' : ''}: ${tsType(f.type)}${opt && f.type.base !== 'optional' ? ' | undefined' : ''};`,
        );
      }
      out.push('}');
      const fields = t.fields.map((f) => `${f.name}: ${desc(f.type)}`).join(', ');
      out.push(`export const ${P}: XdrType<${P}> = xdr.struct('${name}', { ${fields} });`);
    } else {
      const arms = t.arms.map(
        (a) => `{ type: ${a.values.map(constant).join(' | ')}; value: ${tsType(a.decl.type)} }`,
      );
      if (t.otherwise) arms.push(`{ type: number; value: ${tsType(t.otherwise.type)} }`);
      out.push(`export type ${P} = ${arms.join(' | ')};`);
      const armDescs = t.arms.map(
        (a) => `{ values: [${a.values.map(constant).join(', ')}], type: ${desc(a.decl.type)} }`,
      );
      const other = t.otherwise ? `, ${desc(t.otherwise.type)}` : '';
      out.push(
        `export const ${P}: XdrType<${P}> = xdr.union<${P}>('${name}', ${desc(t.disc)}, [${armDescs.join(', ')}]${other});`,
      );
    }
    out.push('');
  }
  out.push('/** The argument, return and message types of the procedures Vessel uses (void: none). */');
  out.push('export interface RemoteProcedureTypes {');
  for (const r of table) {
    const ty = (k) => (r[k] ? pascal(r[k]) : 'undefined');
    out.push(`  ${r.name}: { args: ${ty('args')}; ret: ${ty('ret')}; msg: ${ty('msg')} };`);
  }
  out.push('}', '', '/** Their descriptors, with the procedure number. */');
  out.push('export const REMOTE_PROCEDURE_TYPES = {');
  for (const r of table) {
    const d = (k) => (r[k] ? pascal(r[k]) : 'xdr.void');
    out.push(
      `  ${r.name}: { proc: ${procs.find(([n]) => n === r.name)[1]}, args: ${d('args')}, ret: ${d('ret')}, msg: ${d('msg')} },`,
    );
  }
  out.push('} as const;', '');
  return format(out.join('\n'));
}

/** Formats the output as the repository's biome would, so the committed file passes `biome check`. */
function format(text) {
  return execFileSync(join(ROOT, 'node_modules/.bin/biome'), ['format', `--stdin-file-path=${OUT}`], {
    input: text,
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

const args = process.argv.slice(2);
const check = args.includes('--check');
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? join(ROOT, '../shared/libvirt/protocol'));
const text = generate(dir);
if (check) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {}
  if (current !== text) {
    console.error(`${relative(ROOT, OUT)} is out of date with ${dir}: run node scripts/gen-libvirt.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${relative(ROOT, OUT)}`);
}
