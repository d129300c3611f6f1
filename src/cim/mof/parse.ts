import { CimError } from '../errors.js';
import {
  CIM_TYPES,
  type CimClassDecl,
  type CimMethodDecl,
  type CimParameterDecl,
  type CimPropertyDecl,
  type CimQualifier,
  type CimType,
} from '../types.js';
import { type MofToken, tokenizeMof } from './lexer.js';
import { qualifierType } from './qualifiers.js';

/** An `instance of` declaration: property values in wire form (a NULL value is left out). */
export interface MofInstance {
  className: string;
  alias?: string | undefined;
  properties: Record<string, string | string[]>;
  line: number;
}

/** What a MOF text declares. */
export interface MofDocument {
  classes: CimClassDecl[];
  instances: MofInstance[];
}

/**
 * Parses MOF (DSP0004 Annex A): class declarations with qualifiers, properties, references and methods, and
 * `instance of` declarations. Qualifier type declarations and pragmas are read and skipped. Values come out in
 * wire form (integers in decimal, booleans `true`/`false`). Errors are {@link CimError} `CIM_MOF_SYNTAX` with
 * line and column.
 *
 * @example
 * parseMof('instance of Vessel_ResourceAllocationSettingData { ResourceType = 4; VirtualQuantity = 512; };')
 *   .instances[0].properties; // { ResourceType: '4', VirtualQuantity: '512' }
 */
export function parseMof(src: string, file?: string): MofDocument {
  return new MofParser(tokenizeMof(src, file), file).document();
}

class MofParser {
  private pos = 0;
  constructor(
    private readonly toks: MofToken[],
    private readonly file: string | undefined,
  ) {}

  document(): MofDocument {
    const doc: MofDocument = { classes: [], instances: [] };
    while (this.peek().kind !== 'eof') {
      if (this.peek().kind === 'pragma') {
        this.next();
        this.skipParens();
        continue;
      }
      if (this.isWord('qualifier')) {
        this.skipPast(';');
        continue;
      }
      const quals = this.qualifierList();
      if (this.isWord('class')) doc.classes.push(this.classDecl(quals));
      else if (this.isWord('instance')) doc.instances.push(this.instanceDecl());
      else this.fail(`expected "class" or "instance of", found "${this.peek().text}"`);
    }
    return doc;
  }

  private classDecl(qualifiers: CimQualifier[]): CimClassDecl {
    this.next();
    const name = this.ident('a class name');
    let superClass: string | undefined;
    if (this.eat(':')) superClass = this.ident('a superclass name');
    this.expect('{');
    const properties: CimPropertyDecl[] = [];
    const methods: CimMethodDecl[] = [];
    while (!this.eat('}')) this.feature(properties, methods);
    this.expect(';');
    return { name, superClass, qualifiers, properties, methods };
  }

  private feature(properties: CimPropertyDecl[], methods: CimMethodDecl[]): void {
    const qualifiers = this.qualifierList();
    const [type, referenceClass] = this.dataType();
    const name = this.ident('a property or method name');
    if (this.eat('(')) {
      const parameters: CimParameterDecl[] = [];
      if (!this.eat(')')) {
        do parameters.push(this.parameter());
        while (this.eat(','));
        this.expect(')');
      }
      this.expect(';');
      methods.push({ name, returnType: type, parameters, qualifiers });
      return;
    }
    const [isArray, arraySize] = this.arraySpec();
    let defaultValue: string | string[] | undefined;
    if (this.eat('=')) defaultValue = this.value();
    this.expect(';');
    properties.push({ name, type, isArray, arraySize, referenceClass, qualifiers, defaultValue });
  }

  private parameter(): CimParameterDecl {
    const qualifiers = this.qualifierList();
    const [type, referenceClass] = this.dataType();
    const name = this.ident('a parameter name');
    const [isArray, arraySize] = this.arraySpec();
    return { name, type, isArray, arraySize, referenceClass, qualifiers };
  }

  /** `uint16` or `CIM_Foo REF`. */
  private dataType(): [CimType, string | undefined] {
    const t = this.ident('a data type');
    if (this.isWord('ref')) {
      this.next();
      return ['reference', t];
    }
    const lower = t.toLowerCase();
    if (!CIM_TYPES.has(lower) || lower === 'reference') this.fail(`"${t}" is not a CIM data type`, -1);
    return [lower as CimType, undefined];
  }

  private arraySpec(): [boolean, number | undefined] {
    if (!this.eat('[')) return [false, undefined];
    if (this.eat(']')) return [true, undefined];
    const n = this.next();
    if (n.kind !== 'number' || !/^\d+$/.test(n.text)) this.fail('expected an array size', -1);
    this.expect(']');
    return [true, Number(n.text)];
  }

  private instanceDecl(): MofInstance {
    const line = this.next().line;
    if (!this.isWord('of')) this.fail('expected "of" after "instance"');
    this.next();
    const className = this.ident('a class name');
    let alias: string | undefined;
    if (this.isWord('as')) {
      this.next();
      const a = this.next();
      if (a.kind !== 'alias') this.fail('expected an alias such as $vm after "as"', -1);
      alias = a.text;
    }
    this.expect('{');
    const properties: Record<string, string | string[]> = {};
    while (!this.eat('}')) {
      this.qualifierList();
      const name = this.ident('a property name');
      this.expect('=');
      const v = this.value();
      this.expect(';');
      // An own property even for `__proto__`, which plain assignment would take as the object's prototype.
      if (v !== undefined)
        Object.defineProperty(properties, name, {
          value: v,
          writable: true,
          enumerable: true,
          configurable: true,
        });
    }
    this.expect(';');
    return { className, alias, properties, line };
  }

  private qualifierList(): CimQualifier[] {
    const out: CimQualifier[] = [];
    if (!this.eat('[')) return out;
    do {
      const name = this.ident('a qualifier name');
      let value: string | string[] | undefined;
      let literal: MofToken | undefined;
      if (this.eat('(')) {
        literal = this.peek();
        value = this.value();
        this.expect(')');
      } else if (this.peek().text === '{') {
        literal = this.peek();
        value = this.value();
      }
      if (this.eat(':')) while (this.peek().kind === 'ident') this.next(); // flavors
      const decl = qualifierType(name);
      const type = decl?.type ?? inferType(literal, value);
      if (value === undefined && type === 'boolean' && literal === undefined) value = 'true';
      out.push({
        name,
        type,
        value,
        toSubclass: decl?.toSubclass ?? true,
        overridable: decl?.overridable ?? true,
        translatable: decl?.translatable ?? false,
      });
    } while (this.eat(','));
    this.expect(']');
    return out;
  }

  /** A literal, a `{...}` array of literals, an alias or NULL (undefined). Adjacent strings concatenate. */
  private value(): string | string[] | undefined {
    if (this.eat('{')) {
      const arr: string[] = [];
      if (this.eat('}')) return arr;
      do {
        const v = this.scalar();
        if (v !== undefined) arr.push(v);
      } while (this.eat(','));
      this.expect('}');
      return arr;
    }
    return this.scalar();
  }

  private scalar(): string | undefined {
    const t = this.next();
    switch (t.kind) {
      case 'string': {
        let s = t.text;
        while (this.peek().kind === 'string') s += this.next().text;
        return s;
      }
      case 'char':
        return t.text;
      case 'alias':
        return `$${t.text}`;
      case 'number':
        return numberText(t, (m) => this.fail(m, -1));
      case 'ident': {
        const w = t.text.toLowerCase();
        if (w === 'true' || w === 'false') return w;
        if (w === 'null') return undefined;
        break;
      }
      default:
        break;
    }
    return this.fail(`expected a value, found "${t.text}"`, -1);
  }

  private skipParens(): void {
    if (!this.eat('(')) return;
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === 'eof') this.fail('unterminated "(" in a pragma', -1);
      if (t.text === '(' && t.kind === 'punct') depth++;
      if (t.text === ')' && t.kind === 'punct') depth--;
    }
  }

  private skipPast(p: string): void {
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') this.fail(`expected "${p}" before the end of the text`, -1);
      if (t.kind === 'punct' && t.text === p) return;
    }
  }

  private peek(): MofToken {
    return this.toks[this.pos]!;
  }
  private next(): MofToken {
    const t = this.toks[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text.toLowerCase() === w;
  }
  private eat(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === p) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expect(p: string): void {
    if (!this.eat(p)) this.fail(`expected "${p}", found "${this.peek().text || 'end of text'}"`);
  }
  private ident(what: string): string {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(`expected ${what}, found "${t.text || 'end of text'}"`, -1);
    return t.text;
  }
  private fail(message: string, offset = 0): never {
    const t = this.toks[Math.max(0, this.pos + offset)] ?? this.peek();
    throw new CimError('CIM_MOF_SYNTAX', `MOF: ${message}`, {
      location: { file: this.file, line: t.line, column: t.column },
    });
  }
}

function inferType(t: MofToken | undefined, v: string | string[] | undefined): CimType {
  if (t === undefined) return 'boolean';
  if (v === 'true' || v === 'false') return 'boolean';
  const first = Array.isArray(v) ? v[0] : v;
  if (t.kind === 'number' || (first !== undefined && /^-?\d+$/.test(first) && t.kind !== 'string'))
    return 'sint64';
  return 'string';
}

/** The longest integer literal read: 64 binary digits and the `b` (DSP0004 integers have at most 64 bits). */
const MAX_INTEGER_CHARS = 65;

/** Converts a MOF number literal (decimal, 0x hex, binary `b`, octal, real) to its wire text. */
function numberText(t: MofToken, fail: (m: string) => never): string {
  const s = t.text;
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  // Each pattern below has one way to match, so a long hostile literal costs linear time (no backtracking).
  if (/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(body) && /[.eE]/.test(body)) return s.replace(/^\+/, '');
  if (body.length > MAX_INTEGER_CHARS)
    return fail(`"${s.slice(0, 24)}..." is too long for a CIM integer (at most 64 bits)`);
  let n: bigint | undefined;
  if (/^0[xX][0-9A-Fa-f]+$/.test(body)) n = BigInt(body);
  else if (/^[01]+[bB]$/.test(body)) n = BigInt(`0b${body.slice(0, -1)}`);
  else if (/^0[0-7]+$/.test(body)) n = BigInt(`0o${body.slice(1)}`);
  else if (/^\d+$/.test(body)) n = BigInt(body);
  if (n === undefined) return fail(`"${s}" is not a number`);
  return (neg ? -n : n).toString();
}
