import {
  OVF_DIAGNOSTICS,
  type OvfDiagnostic,
  type OvfDiagnosticCode,
  type OvfSeverity,
} from '../diagnostics.js';
import type {
  Located,
  OvfContent,
  OvfDisk,
  OvfEnvelope,
  OvfFile,
  OvfProductSection,
  OvfSection,
} from '../types.js';

/** A platform whose known refusals `validateOvf` can warn about. */
export type OvfTarget = 'vmware' | 'virtualbox' | 'qemu';

/** Options of `validateOvf`. */
export interface ValidateOvfOptions {
  /** Report portability issues (codes marked `lax` in the registry) as warnings, as `ovftool --lax` does. */
  lax?: boolean;
  /** Also warn about what this platform is known to reject. */
  target?: OvfTarget;
  /** The descriptor's file name, used in messages about the validator itself. */
  file?: string;
}

/** Where a section sits: on the envelope, in a VirtualSystem or in a VirtualSystemCollection. */
export type SectionPlace = 'Envelope' | 'VirtualSystem' | 'VirtualSystemCollection';

/** A section with its place and owning content (undefined on the envelope). */
export interface PlacedSection {
  section: OvfSection;
  place: SectionPlace;
  owner: OvfContent | undefined;
}

/** What every check receives: the envelope, the options, indexes built once, and `report`. */
export class ValidationContext {
  readonly diagnostics: OvfDiagnostic[] = [];
  /** File elements by id (the first of duplicates). */
  readonly files = new Map<string, OvfFile>();
  /** Disks of the envelope's DiskSections by diskId (the first of duplicates). */
  readonly disks = new Map<string, OvfDisk>();
  readonly networks = new Set<string>();
  readonly configurations = new Set<string>();
  /** Property names a `${...}` reference may use: the key and `class.key.instance` forms. */
  readonly propertyNames = new Set<string>();
  /** Every section of the descriptor with its place, in document order. */
  readonly sections: PlacedSection[] = [];
  /** Every VirtualSystem and VirtualSystemCollection, depth first. */
  readonly contents: OvfContent[] = [];

  constructor(
    readonly env: OvfEnvelope,
    readonly options: ValidateOvfOptions,
  ) {
    for (const f of env.references) if (!this.files.has(f.id)) this.files.set(f.id, f);
    for (const s of env.sections) this.sections.push({ section: s, place: 'Envelope', owner: undefined });
    const walk = (c: OvfContent): void => {
      this.contents.push(c);
      for (const s of c.sections) this.sections.push({ section: s, place: c.kind, owner: c });
      c.children.forEach(walk);
    };
    if (env.content) walk(env.content);
    for (const { section: s, place } of this.sections) {
      if (s.kind === 'DiskSection' && place === 'Envelope') {
        for (const d of s.disks) if (!this.disks.has(d.diskId)) this.disks.set(d.diskId, d);
      } else if (s.kind === 'NetworkSection' && place === 'Envelope') {
        for (const n of s.networks) this.networks.add(n.name);
      } else if (s.kind === 'DeploymentOptionSection' && place === 'Envelope') {
        for (const c of s.configurations) this.configurations.add(c.id);
      } else if (s.kind === 'ProductSection') {
        this.addPropertyNames(s);
      }
    }
  }

  private addPropertyNames(s: OvfProductSection): void {
    for (const e of s.entries) {
      if (e.entry !== 'Property') continue;
      this.propertyNames.add(e.key);
      const full = [s.class, e.key, s.instance].filter((x) => x !== undefined && x !== '').join('.');
      this.propertyNames.add(full);
    }
  }

  /** Records a finding; `lax` downgrades portability errors to warnings. */
  report(code: OvfDiagnosticCode, at: Located | undefined, message: string, hint?: string): void {
    const spec = OVF_DIAGNOSTICS[code];
    let sev: OvfSeverity = spec.severity;
    if (sev === 'error' && spec.lax && this.options.lax) sev = 'warning';
    const d: OvfDiagnostic = { code, severity: sev, message };
    if (at?.line !== undefined) d.line = at.line;
    if (at?.column !== undefined) d.column = at.column;
    if (hint !== undefined) d.hint = hint;
    this.diagnostics.push(d);
  }
}

/** A check: reads the context and reports what it finds. */
export type Check = (ctx: ValidationContext) => void;

/** True unless an `ovf:required`-style xs:boolean says false. */
export function isRequired(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim();
  return !(v === 'false' || v === '0');
}

/** True for the xs:boolean lexical forms. */
export function isXsBoolean(value: string): boolean {
  return /^(true|false|1|0)$/.test(value.trim());
}

/** A short name for a content node in messages: `VirtualSystem "web"`. */
export function describeContent(c: OvfContent): string {
  return c.id === '' ? `a ${c.kind} without ovf:id` : `${c.kind} "${c.id}"`;
}
