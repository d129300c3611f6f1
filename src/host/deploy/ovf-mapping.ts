import { VesselError } from '../../model/index.js';
import {
  allContents,
  defaultConfiguration,
  hardwareOf,
  type OvfContent,
  type OvfEnvelope,
  VBOX_NS,
  VMW_NS,
  virtualSystems,
} from '../../ovf/index.js';
import type { XmlElement } from '../../xml/index.js';
import { type DeployHooks, planSystems } from './plan.js';
import { resolveProperties } from './properties.js';

/**
 * Whether another producer's OVF descriptor maps to a system this host can run, decided exactly as `vessel
 * deploy` decides it (definitionFromOvf for the default deployment option, the driver's hardware mapping and its
 * validation: for the embedded QEMU driver, the model's definition checks and its command line), without any disk: the check behind
 * docs/corpus-mapping.md. Property values are the package's defaults; missing ones are reported apart, as they
 * are the user's to give, not a mapping problem.
 */

/** The outcome for one descriptor. */
type MappingVerdict =
  /** Deploys as it is. */
  | 'maps'
  /** Deploys, leaving out optional items the host has no equivalent for. */
  | 'maps-dropping-optional'
  /** Refused as it is; `--lax` (leave out required unmappable items) deploys it. */
  | 'lax-only'
  /** Cannot be deployed: the reasons say what cannot be mapped. */
  | 'refused';

/** What the check found for one single-VM descriptor. */
export interface MappingOutcome {
  verdict: MappingVerdict;
  /** Why it is refused (or refused without `--lax`), precisely: item, value, and what is missing. */
  reasons: string[];
  /** Optional items left out, and other changes the deploy makes. */
  notes: string[];
  /** Property values the user must give (required user-configurable properties without a default). */
  properties: string[];
  /** The deployment option mapped (the package's default). */
  configuration: string | undefined;
}

/** What a descriptor describes, for deciding whether the mapping check applies to it. */
interface DescriptorScope {
  /** One VirtualSystem as the envelope's content (no collection). */
  singleSystem: boolean;
  /** The processor architecture the package names (pasd InstructionSet, VirtualBox/VMware guest ids). */
  architecture: 'x86' | 'arm' | 'other';
}

function texts(el: XmlElement, out: string[], depth = 0): void {
  if (depth > 10) return;
  for (const a of el.attrs) out.push(a.value);
  for (const c of el.children) {
    if (c.type === 'text') out.push(c.value);
    else if (c.type === 'element') texts(c, out, depth + 1);
  }
}

/** Every vendor value of a system that can name an architecture: InstructionSet, OS type ids, vbox:Machine. */
function architectureHints(system: OvfContent): string[] {
  const out: string[] = [];
  const hw = hardwareOf(system);
  for (const it of hw?.items ?? []) {
    const set = it.resource.properties.InstructionSet;
    if (typeof set === 'string') out.push(set);
    for (const x of it.extra) if (x.local === 'InstructionSet') texts(x, out);
  }
  for (const s of system.sections) {
    if (s.kind === 'OperatingSystemSection') {
      for (const a of s.attrs) if (a.ns === VMW_NS && a.local === 'osType') out.push(a.value);
      for (const x of s.extra) if (x.ns === VBOX_NS) texts(x, out);
    }
    if (s.kind === 'Unknown' && s.element.ns === VBOX_NS) {
      const os = s.element.attrs.find((a) => a.local === 'OSType');
      if (os) out.push(os.value);
    }
  }
  for (const x of system.extra) {
    if (x.ns !== VBOX_NS) continue;
    const os = x.attrs.find((a) => a.local === 'OSType');
    if (os) out.push(os.value);
  }
  return out;
}

/**
 * Whether the envelope is one VirtualSystem, and the architecture it names: `arm` for `DMTF:ARM`/aarch64/arm64
 * hints, `other` for non-x86 DMTF instruction sets, `x86` otherwise (what unlabelled packages are in practice).
 */
export function descriptorScope(env: OvfEnvelope): DescriptorScope {
  const single = env.content?.kind === 'VirtualSystem' && virtualSystems(env).length === 1;
  const hints = virtualSystems(env).flatMap(architectureHints).join(' ');
  const architecture = /\b(aarch64|arm64|arm_?64|DMTF:ARM)|_Arm/i.test(hints)
    ? 'arm'
    : /DMTF:(PowerPC|SPARC|IA64|S390|MIPS)/i.test(hints)
      ? 'other'
      : 'x86';
  return { singleSystem: single, architecture };
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

function plan(
  driver: DeployHooks,
  env: OvfEnvelope,
  values: ReturnType<typeof resolveProperties>,
  lax: boolean,
) {
  return planSystems(env, {
    driver,
    configuration: undefined,
    properties: values,
    networks: new Map(),
    name: undefined,
    lax,
    finalDir: (uuid) => `/var/lib/vessel/vms/${uuid}`,
    platformVersion: 'corpus-check',
  });
}

/**
 * Checks whether a single-VM envelope maps to a system a driver runs, as `vessel deploy` (without `--lax`, then
 * with it) would decide with that driver's hooks, and says precisely what it cannot map. Never throws for a bad
 * descriptor: the reason is the outcome.
 *
 * @example
 * const o = await checkOvfMapping(parseOvf(readFileSync('appliance.ovf')), qemuDeployHooks());
 * if (o.verdict === 'refused') console.log(o.reasons.join('\n'));
 */
export async function checkOvfMapping(env: OvfEnvelope, driver: DeployHooks): Promise<MappingOutcome> {
  const configuration = defaultConfiguration(env);
  const values = resolveProperties(allContents(env), configuration, {});
  const properties = values.errors;
  try {
    const [p] = await plan(driver, env, values, false);
    const notes = p?.notes ?? [];
    const dropped = notes.some((n) => /left out/.test(n));
    return {
      verdict: dropped ? 'maps-dropping-optional' : 'maps',
      reasons: [],
      notes,
      properties,
      configuration,
    };
  } catch (e) {
    if (!(e instanceof VesselError)) throw e;
    const reasons = [messageOf(e)];
    try {
      const [p] = await plan(driver, env, values, true);
      return { verdict: 'lax-only', reasons, notes: p?.notes ?? [], properties, configuration };
    } catch (e2) {
      if (!(e2 instanceof VesselError)) throw e2;
      if (messageOf(e2) !== reasons[0]) reasons.push(`with --lax: ${messageOf(e2)}`);
      return { verdict: 'refused', reasons, notes: [], properties, configuration };
    }
  }
}
