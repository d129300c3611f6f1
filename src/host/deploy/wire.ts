import { HostError } from '../errors.js';
import { stringParam } from '../wire.js';
import type { DeployRequest } from './deploy.js';

function stringMap(v: unknown, name: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new HostError('USAGE', `The parameter "${name}" must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new HostError('USAGE', `${name}.${k} must be a string`);
    out[k] = x;
  }
  return out;
}

function optString(p: Record<string, unknown>, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '')
    throw new HostError('USAGE', `The parameter "${name}" must be a non-empty string`);
  return v;
}

/**
 * The `vm.deploy` request of the socket API, checked: `{package, name?, configuration?, properties?: {KEY:
 * VALUE}, networks?: {OVFNET: HOSTNET}, powerOn?, acceptEula?, lax?, requireSignature?, ca?, wait?}`. Paths are
 * the host's: the CLI sends absolute ones.
 */
export function deployRequestFromWire(p: Record<string, unknown>): DeployRequest {
  return {
    package: stringParam(p, 'package'),
    name: optString(p, 'name'),
    configuration: optString(p, 'configuration'),
    properties: stringMap(p.properties, 'properties'),
    networks: stringMap(p.networks, 'networks'),
    powerOn: p.powerOn === true,
    acceptEula: p.acceptEula === true,
    lax: p.lax === true,
    requireSignature: p.requireSignature === true,
    ca: optString(p, 'ca'),
  };
}
