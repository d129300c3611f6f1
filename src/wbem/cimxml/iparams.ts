import { CimError, type CimInstance, type CimInstanceName } from '../../cim/index.js';
import type { IntrinsicCall, IParamValue } from './decode-request.js';

/**
 * Typed access to the IPARAMVALUEs of an intrinsic call, with the DSP0200 defaults; a parameter of the wrong
 * shape or one the operation does not take is CIM_ERR_INVALID_PARAMETER.
 */
export class IParams {
  constructor(private readonly call: IntrinsicCall) {}

  /** Refuses parameters the operation does not define (DSP0200 §5.3.1). */
  only(...names: string[]): void {
    // The parameters are keyed by their lower-case names; each is compared with the ASCII names in place, without
    // a set or a lower-cased copy per call (every request passes here).
    for (const [key, { name }] of this.call.params) {
      let known = false;
      for (const n of names) if (isLowerOf(key, n)) known = true;
      if (!known)
        throw new CimError('CIM_ERR_INVALID_PARAMETER', `${this.call.method} has no parameter ${name}`);
    }
  }

  private get(name: string): IParamValue | undefined {
    const p = this.call.params.get(name.toLowerCase());
    return p === undefined || p.value.kind === 'null' ? undefined : p.value;
  }

  private wrong(name: string, what: string): never {
    throw new CimError('CIM_ERR_INVALID_PARAMETER', `${this.call.method}: ${name} must be ${what}`);
  }

  bool(name: string, dflt: boolean): boolean {
    const v = this.get(name);
    if (v === undefined) return dflt;
    if (v.kind !== 'value') this.wrong(name, 'TRUE or FALSE');
    const t = v.value.trim().toUpperCase();
    if (t === 'TRUE') return true;
    if (t === 'FALSE') return false;
    return this.wrong(name, `TRUE or FALSE, not "${v.value}"`);
  }

  /** True when the client gave the parameter explicitly as TRUE. */
  explicitTrue(name: string): boolean {
    return this.get(name) !== undefined && this.bool(name, false);
  }

  string(name: string): string | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (v.kind !== 'value') this.wrong(name, 'a string');
    return v.value;
  }

  uint(name: string): number | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    if (!/^\s*\d{1,15}\s*$/.test(s)) this.wrong(name, `a whole number, not "${s}"`);
    return Number(s);
  }

  className(name: string, required: true): string;
  className(name: string, required: false): string | undefined;
  className(name: string, required: boolean): string | undefined {
    const v = this.get(name);
    if (v === undefined) {
      if (required) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${this.call.method} needs ${name}`);
      return undefined;
    }
    if (v.kind === 'classname') return v.value;
    if (v.kind === 'value' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v.value.trim())) return v.value.trim();
    return this.wrong(name, 'a class name');
  }

  instanceName(name: string): CimInstanceName {
    const v = this.get(name);
    if (v === undefined) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${this.call.method} needs ${name}`);
    if (v.kind === 'instancename' || v.kind === 'reference') return v.value;
    return this.wrong(name, 'an instance name');
  }

  /** ObjectName of the association operations: an instance name; a class name is refused (class-level walks). */
  /**
   * The source object of an association operation: ObjectName (Associators, References), or for the pull
   * operations DSP0200 §5.3.2.24–27's InstanceName (what pywbem sends), ObjectName still taken there too.
   */
  objectName(pull = false): CimInstanceName {
    const name = pull && this.get('InstanceName') !== undefined ? 'InstanceName' : 'ObjectName';
    if (pull && name === 'InstanceName' && this.get('ObjectName') !== undefined)
      throw new CimError('CIM_ERR_INVALID_PARAMETER', 'Give InstanceName or ObjectName, not both');
    if (pull && this.get(name) === undefined)
      throw new CimError('CIM_ERR_INVALID_PARAMETER', `${this.call.method} needs InstanceName`);
    const v = this.get(name);
    if (v?.kind === 'classname')
      throw new CimError('CIM_ERR_NOT_SUPPORTED', 'Association operations on classes are not supported');
    return this.instanceName(name);
  }

  instance(name: string): CimInstance {
    const v = this.get(name);
    if (v?.kind !== 'instance') return this.wrong(name, 'an instance');
    return v.value;
  }

  /** PropertyList: undefined = all properties; lower-case names otherwise. */
  propertyList(): Set<string> | undefined {
    const v = this.get('PropertyList');
    if (v === undefined) return undefined;
    if (v.kind !== 'array') this.wrong('PropertyList', 'an array of property names');
    return new Set(v.value.map((s) => s.trim().toLowerCase()));
  }

  /** PropertyList as written, for ModifyInstance. */
  propertyNames(): string[] | undefined {
    const v = this.get('PropertyList');
    if (v === undefined) return undefined;
    if (v.kind !== 'array') this.wrong('PropertyList', 'an array of property names');
    return v.value.map((s) => s.trim());
  }
}

/** True when `lower` is the ASCII name `name` in lower case (`name.toLowerCase() === lower`, without a copy). */
function isLowerOf(lower: string, name: string): boolean {
  if (lower.length !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (lower.charCodeAt(i) !== (c >= 0x41 && c <= 0x5a ? c + 0x20 : c)) return false;
  }
  return true;
}
