import type { OvfStartupSection } from '../types.js';
import { isXsBoolean, type PlacedSection, type ValidationContext } from './context.js';

const START_ACTIONS = new Set(['powerOn', 'none']);
const STOP_ACTIONS = new Set(['powerOff', 'guestShutdown', 'none']);

/**
 * The smaller sections: Network names and Configuration ids present and unique, one default configuration,
 * OperatingSystemSection and InstallSection numbers, and StartupSection items that name children of their
 * collection with valid orders, delays and actions.
 */
export function checkOptions(ctx: ValidationContext): void {
  for (const placed of ctx.sections) {
    const s = placed.section;
    switch (s.kind) {
      case 'NetworkSection': {
        const seen = new Set<string>();
        for (const n of s.networks) {
          if (n.name === '') ctx.report('OVF_MISSING_ATTRIBUTE', n, 'A Network has no ovf:name');
          else if (seen.has(n.name))
            ctx.report('OVF_DUPLICATE_ID', n, `Network "${n.name}" is defined twice`);
          seen.add(n.name);
        }
        break;
      }
      case 'DeploymentOptionSection': {
        const seen = new Set<string>();
        let defaults = 0;
        for (const c of s.configurations) {
          if (c.id === '') ctx.report('OVF_MISSING_ATTRIBUTE', c, 'A Configuration has no ovf:id');
          else if (seen.has(c.id))
            ctx.report('OVF_DUPLICATE_ID', c, `Configuration "${c.id}" is defined twice`);
          seen.add(c.id);
          if (c.default === undefined) continue;
          if (!isXsBoolean(c.default)) {
            ctx.report(
              'OVF_ATTRIBUTE_INVALID',
              c,
              `Configuration "${c.id}" has ovf:default="${c.default}", not a boolean`,
            );
          } else if (/^(true|1)$/.test(c.default.trim()) && ++defaults === 2) {
            ctx.report(
              'OVF_MULTIPLE_DEFAULT_CONFIGURATIONS',
              c,
              `Configuration "${c.id}" is a second default`,
            );
          }
        }
        break;
      }
      case 'OperatingSystemSection':
        if (s.id.trim() === '')
          ctx.report('OVF_MISSING_ATTRIBUTE', s, 'OperatingSystemSection has no ovf:id');
        else if (!/^[+-]?\d{1,6}$/.test(s.id.trim())) {
          ctx.report('OVF_ATTRIBUTE_INVALID', s, `OperatingSystemSection has ovf:id="${s.id}", not a number`);
        } else if (Number(s.id) < 0 || Number(s.id) > 65535) {
          ctx.report(
            'OVF_ATTRIBUTE_NONSTANDARD',
            s,
            `OperatingSystemSection has ovf:id="${s.id}", outside CIM_OperatingSystem OSType (0..65535)`,
            'VMware writes such ids with vmw:osType; other consumers fall back to "Other".',
          );
        }
        break;
      case 'InstallSection':
        if (s.initialBootStopDelay !== undefined && !/^\d+$/.test(s.initialBootStopDelay.trim())) {
          ctx.report(
            'OVF_ATTRIBUTE_INVALID',
            s,
            `InstallSection has ovf:initialBootStopDelay="${s.initialBootStopDelay}", not a number of seconds`,
          );
        }
        break;
      case 'StartupSection':
        checkStartup(ctx, s, placed);
        break;
      default:
        break;
    }
  }
}

function checkStartup(ctx: ValidationContext, s: OvfStartupSection, placed: PlacedSection): void {
  const children = new Set(placed.owner?.children.map((c) => c.id) ?? []);
  for (const it of s.items) {
    if (it.id === '') ctx.report('OVF_MISSING_ATTRIBUTE', it, 'A StartupSection Item has no ovf:id');
    else if (placed.owner !== undefined && !children.has(it.id)) {
      ctx.report(
        'OVF_UNRESOLVED_STARTUP_ID',
        it,
        `StartupSection orders "${it.id}", which is not a VirtualSystem or collection directly in ${placed.owner.kind} "${placed.owner.id}"`,
      );
    }
    const ints: Array<[string, string | undefined]> = [
      ['order', it.order === '' ? undefined : it.order],
      ['startDelay', it.startDelay],
      ['stopDelay', it.stopDelay],
    ];
    if (it.order === '')
      ctx.report('OVF_MISSING_ATTRIBUTE', it, `StartupSection Item "${it.id}" has no ovf:order`);
    for (const [name, v] of ints) {
      if (v !== undefined && !/^\d{1,9}$/.test(v.trim())) {
        ctx.report(
          'OVF_ATTRIBUTE_INVALID',
          it,
          `StartupSection Item "${it.id}" has ovf:${name}="${v}", not a whole number`,
        );
      }
    }
    if (it.waitingForGuest !== undefined && !isXsBoolean(it.waitingForGuest)) {
      ctx.report(
        'OVF_ATTRIBUTE_INVALID',
        it,
        `StartupSection Item "${it.id}" has ovf:waitingForGuest="${it.waitingForGuest}"`,
      );
    }
    // vSphere adds "suspend"; other consumers fall back to their default action.
    if (it.startAction !== undefined && !START_ACTIONS.has(it.startAction.trim())) {
      ctx.report(
        'OVF_ATTRIBUTE_NONSTANDARD',
        it,
        `StartupSection Item "${it.id}" has ovf:startAction="${it.startAction}"; DSP0243 defines powerOn and none`,
      );
    }
    if (it.stopAction !== undefined && !STOP_ACTIONS.has(it.stopAction.trim())) {
      ctx.report(
        'OVF_ATTRIBUTE_NONSTANDARD',
        it,
        `StartupSection Item "${it.id}" has ovf:stopAction="${it.stopAction}"; DSP0243 defines powerOff, guestShutdown and none`,
      );
    }
  }
}
