import { ResourceType } from '../../model/index.js';
import { OvfError } from '../errors.js';
import { itemsFor } from '../select.js';
import type { OvfContent, OvfEnvelope } from '../types.js';
import {
  hardware,
  itemsForEdit,
  itemsOfType,
  newItem,
  requireConfiguration,
  settleOverrides,
} from './core.js';

/**
 * Serial ports (COT's edit-hardware --serial-ports and --serial-connectivity): how many a system has, and where
 * each is connected, in the RASD's Address as COT and VMware write it (`telnet://host:port`, a file).
 */

const options = (c: string | undefined) => (c ?? '').split(/\s+/).filter((x) => x !== '');

/**
 * Sets the number of serial ports, for every deployment option or for `configuration`. New ports copy the last
 * one's settings (name numbered, no connection); ports are removed from the end. For one option, a port other
 * options share stays theirs (its `ovf:configuration` names them), and a new port is written for the option only.
 *
 * @example
 * setSerialCount(env, system, 2); setSerialConnectivity(env, system, ['telnet://localhost:8101']);
 */
export function setSerialCount(
  env: OvfEnvelope,
  system: OvfContent,
  count: number,
  configuration?: string,
): void {
  if (!Number.isInteger(count) || count < 0 || count > 32)
    throw new OvfError('OVF_EDIT', `A system has 0 to 32 serial ports, not ${count}`);
  const all = configuration === undefined ? [] : requireConfiguration(env, configuration);
  const hw = hardware(system);
  const ports = itemsFor(itemsOfType(hw, ResourceType.SerialPort, configuration), configuration);
  for (const gone of ports.slice(count)) {
    const id = gone.resource.properties.InstanceID;
    const same = hw.items.filter(
      (i) => i === gone || (id !== undefined && i.resource.properties.InstanceID === id),
    );
    for (const item of same) {
      const opts = options(item.configuration);
      const keep =
        configuration === undefined
          ? []
          : (opts.length === 0 ? all : opts).filter((c) => c !== configuration);
      if (keep.length === 0) hw.items = hw.items.filter((i) => i !== item);
      else item.configuration = keep.join(' ');
    }
  }
  const last = ports.at(-1);
  for (let n = ports.length + 1; n <= count; n++) {
    const props = last === undefined ? {} : structuredClone(last.resource.properties);
    delete props.Address;
    delete props.Connection;
    delete props.InstanceID;
    const item = newItem(
      hw,
      { ...props, ElementName: `Serial ${n}`, ResourceType: String(ResourceType.SerialPort) },
      configuration !== undefined && all.length > 1 ? configuration : undefined,
    );
    if (last === undefined) item.resource.properties.AutomaticAllocation = 'true';
    else if (last.required !== undefined) item.required = last.required;
  }
}

/** Checks a serial connection: `telnet://`, `tcp://` or `udp://` host:port, or an absolute file path (`file:`). */
export function checkSerialConnection(uri: string): string {
  const net = /^(telnet|tcp|udp):\/\/(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(uri);
  if (net) {
    const port = Number(net[3]);
    if (port < 1 || port > 65535)
      throw new OvfError('OVF_EDIT', `Port ${port} of "${uri}" is not 1 to 65535`);
    return uri;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/^(file:\/\/)?\/[^\u0000-\u001f]*$/.test(uri) && !uri.split('/').includes('..')) return uri;
  throw new OvfError('OVF_EDIT', `"${uri}" is no serial connection`, {
    hint: 'Give telnet://host:port, tcp://host:port, udp://host:port or an absolute file path',
  });
}

/**
 * Connects serial ports: `uris` gives port 1, 2, ... in order (`""` clears one), for every deployment option or
 * for `configuration`. More connections than ports are refused (add ports with {@link setSerialCount} first).
 */
export function setSerialConnectivity(
  env: OvfEnvelope,
  system: OvfContent,
  uris: readonly string[],
  configuration?: string,
): void {
  if (configuration !== undefined) requireConfiguration(env, configuration);
  const hw = hardware(system);
  const ports = itemsFor(itemsOfType(hw, ResourceType.SerialPort, configuration), configuration);
  if (uris.length > ports.length)
    throw new OvfError('OVF_EDIT', `${uris.length} serial connection(s) for ${ports.length} serial port(s)`, {
      hint: 'Give --serial-ports first to add ports',
    });
  const want = new Map<string, string>();
  for (const [i, uri] of uris.entries()) {
    const id = ports[i]!.resource.properties.InstanceID;
    if (id !== undefined) want.set(id, uri === '' ? '' : checkSerialConnection(uri));
  }
  for (const item of itemsForEdit(env, hw, ResourceType.SerialPort, configuration)) {
    const v = want.get(item.resource.properties.InstanceID ?? '');
    if (v === undefined) continue;
    if (v === '') delete item.resource.properties.Address;
    else item.resource.properties.Address = v;
  }
  settleOverrides(hw);
}
