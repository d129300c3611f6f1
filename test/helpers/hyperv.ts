import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { childElements, getAttr, parseXml, textContent, type XmlElement } from '../../src/xml/index.js';

/**
 * SYNTHETIC Hyper-V: a stateful WS-Man peer that answers as Windows' WinRM answers for Hyper-V's WMI v2
 * (root/virtualization/v2), written from published shapes (libvirt's src/hyperv requests and WQL, WinRM's
 * `s:`/`a:`/`n:`/`w:`/`p:` envelopes, MSDN's Msvm_* classes, method parameters and return values, MSFT_WmiError
 * faults), never recorded from a real Hyper-V, which no test can reach. It proves that Vessel's Hyper-V profile
 * sends what libvirt sends and reads what WinRM answers; it proves nothing about a real Hyper-V's behaviour.
 *
 * It keeps VMs (Msvm_ComputerSystem, VSSD, processor, memory and the settings AddResourceSettings adds) and jobs
 * (Msvm_ConcreteJob: Running at the first Get, then Completed), checks Basic authentication, the WMI resource URI
 * form (no `__cimnamespace` selector), embedded instances' CIM-XML TYPEs and Parent paths, and takes injected
 * failures for hostile-reply tests: a fault, a return value, a job that fails, a huge answer.
 */

const V2 = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2';
const SOAP = 'http://www.w3.org/2003/05/soap-envelope';
const WSA = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
const WSMAN = 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd';
const WSEN = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration';
const ANON = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
const HOST = 'HV-SYNTH1';

/** A settings instance of a VM. */
export interface SynthSetting {
  className: string;
  props: Record<string, string | string[]>;
}

/** A VM as the synthetic host keeps it. */
export interface SynthVm {
  guid: string;
  name: string;
  /** Msvm_ComputerSystem.EnabledState: 2 running, 3 off, 9 paused, 6 saved. */
  enabled: number;
  subType: string;
  settings: SynthSetting[];
}

/** A failure the next matching request gets (once). */
export type Injection =
  | { method: string; kind: 'fault' }
  | { method: string; kind: 'returnValue'; value: number }
  | { method: string; kind: 'jobFails' }
  /** The job stays Running (4) for ever. */
  | { method: string; kind: 'jobHangs' }
  /** The job answers a JobState CIM_ConcreteJob does not define. */
  | { method: string; kind: 'jobBadState' }
  /** 4096 without a Job reference. */
  | { method: string; kind: 'noJob' }
  | { method: string; kind: 'huge'; bytes: number };

/** A running synthetic Hyper-V. */
export interface SyntheticHyperv {
  /** `http://127.0.0.1:PORT/wsman`. */
  url: string;
  port: number;
  vms: Map<string, SynthVm>;
  /** Every request body, in order. */
  requests: string[];
  /** The actions (or `Identify`) of every request, in order. */
  actions: string[];
  inject(i: Injection): void;
  close(): Promise<void>;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

function envelope(action: string, relatesTo: string, body: string): string {
  return (
    `<s:Envelope xmlns:s="${SOAP}" xmlns:a="${WSA}" xmlns:n="${WSEN}" xmlns:w="${WSMAN}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xml:lang="en-US">` +
    `<s:Header><a:To>${ANON}</a:To><a:Action>${esc(action)}</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID><a:RelatesTo>${esc(relatesTo)}</a:RelatesTo></s:Header>` +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

/** WinRM's fault with WMI's MSFT_WmiError detail. */
function fault(sub: string, reason: string, cimStatus: number, message: string): string {
  return `<s:Fault><s:Code><s:Value>s:${cimStatus === 1 ? 'Receiver' : 'Sender'}</s:Value><s:Subcode><s:Value>w:${sub}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">${esc(reason)}</s:Text></s:Reason><s:Detail><p:MSFT_WmiError b:IsCIM_Error="true" xmlns:b="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/MSFT_WmiError" xsi:type="p:MSFT_WmiError_Type"><p:CIMStatusCode>${cimStatus}</p:CIMStatusCode><p:Message>${esc(message)}</p:Message></p:MSFT_WmiError></s:Detail></s:Fault>`;
}

type Keys = Array<[string, string]>;

function eprXml(className: string, keys: Keys): string {
  const sel = keys.map(([k, v]) => `<w:Selector Name="${esc(k)}">${esc(v)}</w:Selector>`).join('');
  return `<a:Address>${ANON}</a:Address><a:ReferenceParameters><w:ResourceURI>${V2}/${className}</w:ResourceURI><w:SelectorSet>${sel}<w:Selector Name="__cimnamespace">root/virtualization/v2</w:Selector></w:SelectorSet></a:ReferenceParameters>`;
}

function objectXml(className: string, props: Record<string, string | string[] | undefined>): string {
  let s = `<p:${className} xmlns:p="${V2}/${className}" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xsi:type="p:${className}_Type">`;
  for (const [k, v] of Object.entries(props).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (v === undefined) s += `<p:${k} xsi:nil="true"/>`;
    else for (const x of Array.isArray(v) ? v : [v]) s += `<p:${k}>${esc(x)}</p:${k}>`;
  }
  return `${s}</p:${className}>`;
}

/** A row the server can hand out: the object and its keys. */
interface Row {
  className: string;
  props: Record<string, string | string[]>;
  keys: Keys;
}

const settingRow = (s: SynthSetting): Row => ({
  className: s.className,
  props: s.props,
  keys: [['InstanceID', String(s.props.InstanceID)]],
});

function vmRow(vm: SynthVm): Row {
  return {
    className: 'Msvm_ComputerSystem',
    props: {
      Caption: 'Virtual Machine',
      CreationClassName: 'Msvm_ComputerSystem',
      Description: 'Microsoft Virtual Machine',
      ElementName: vm.name,
      EnabledState: String(vm.enabled),
      HealthState: '5',
      Name: vm.guid,
      RequestedState: '12',
      TimeOfLastStateChange: '2026-12-03T10:00:00.000000Z',
    },
    keys: [
      ['CreationClassName', 'Msvm_ComputerSystem'],
      ['Name', vm.guid],
    ],
  };
}

function vssdRow(vm: SynthVm): Row {
  return {
    className: 'Msvm_VirtualSystemSettingData',
    props: {
      ConfigurationID: vm.guid,
      ElementName: vm.name,
      InstanceID: `Microsoft:${vm.guid}`,
      VirtualSystemIdentifier: vm.guid,
      VirtualSystemSubType: vm.subType,
      VirtualSystemType: 'Microsoft:Hyper-V:System:Realized',
    },
    keys: [['InstanceID', `Microsoft:${vm.guid}`]],
  };
}

const SERVICE: Row = {
  className: 'Msvm_VirtualSystemManagementService',
  props: {
    CreationClassName: 'Msvm_VirtualSystemManagementService',
    ElementName: 'Virtual Machine Management Service',
    Name: 'vmms',
    SystemCreationClassName: 'Msvm_ComputerSystem',
    SystemName: HOST,
  },
  keys: [
    ['CreationClassName', 'Msvm_VirtualSystemManagementService'],
    ['Name', 'vmms'],
    ['SystemCreationClassName', 'Msvm_ComputerSystem'],
    ['SystemName', HOST],
  ],
};

const SWITCH: Row = {
  className: 'Msvm_VirtualEthernetSwitch',
  props: {
    CreationClassName: 'Msvm_VirtualEthernetSwitch',
    ElementName: 'Default Switch',
    Name: 'C08CB7B8-9B3C-408E-8E30-5E16A3AEB444',
  },
  keys: [
    ['CreationClassName', 'Msvm_VirtualEthernetSwitch'],
    ['Name', 'C08CB7B8-9B3C-408E-8E30-5E16A3AEB444'],
  ],
};

function shutdownRow(vm: SynthVm): Row {
  const keys: Keys = [
    ['CreationClassName', 'Msvm_ShutdownComponent'],
    ['DeviceID', `Microsoft:${vm.guid}\\9F8233AC-BE49-4C79-8EE3-E7E1985B2077`],
    ['SystemCreationClassName', 'Msvm_ComputerSystem'],
    ['SystemName', vm.guid],
  ];
  return { className: 'Msvm_ShutdownComponent', props: Object.fromEntries(keys), keys };
}

/** `Name = "x" AND ...` of a WQL WHERE, with `\` escapes; undefined for anything else. */
function conditions(where: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  const re = /\s*(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*(AND\b|$)/iy;
  let m: RegExpExecArray | null;
  // biome-ignore lint/suspicious/noAssignInExpressions: a sticky regular expression walks the text
  while (re.lastIndex < where.length && (m = re.exec(where)) !== null) {
    out.push([m[1]!, (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1')]);
    if (m[4] === '') break;
  }
  return re.lastIndex === where.length || out.length > 0 ? out : undefined;
}

const text = (el: XmlElement | undefined) => (el ? textContent(el).trim() : '');
const child = (el: XmlElement | undefined, local: string) =>
  el ? childElements(el).find((c) => c.local === local) : undefined;

/** The selectors of an EPR element (a:EndpointReference or a parameter holding Address + ReferenceParameters). */
function eprKeys(el: XmlElement): Record<string, string> {
  const ref =
    child(el, 'ReferenceParameters') ?? child(child(el, 'EndpointReference'), 'ReferenceParameters');
  const out: Record<string, string> = {};
  for (const s of childElements(child(ref, 'SelectorSet') ?? el))
    if (s.local === 'Selector') out[getAttr(s, '', 'Name') ?? ''] = text(s);
  return out;
}

/** An embedded CIM-XML INSTANCE: its class and properties, or the reason it is refused (32776). */
function embedded(
  textValue: string,
): { className: string; props: Record<string, string | string[]> } | string {
  let root: XmlElement;
  try {
    root = parseXml(textValue).root;
  } catch (e) {
    return `not XML: ${(e as Error).message}`;
  }
  if (root.local !== 'INSTANCE') return `<${root.local}> is not an INSTANCE`;
  const props: Record<string, string | string[]> = {};
  for (const p of childElements(root)) {
    const name = getAttr(p, '', 'NAME') ?? '';
    const type = getAttr(p, '', 'TYPE') ?? '';
    if (/^(VirtualQuantity|Reservation|Limit)$/.test(name) && type !== 'uint64') return `${name} is ${type}`;
    if (name === 'ResourceType' && type !== 'uint16') return `${name} is ${type}`;
    if (p.local === 'PROPERTY.ARRAY')
      props[name] = childElements(child(p, 'VALUE.ARRAY') ?? p).map((v) => textContent(v));
    else props[name] = text(child(p, 'VALUE'));
  }
  return { className: getAttr(root, '', 'CLASSNAME') ?? '', props };
}

/**
 * Starts a synthetic Hyper-V on 127.0.0.1 (a free port) with the VMs given; `user`/`password` are required with
 * Basic authentication.
 *
 * @example
 * const hv = await startSyntheticHyperv({ user: 'Administrator', password: 'pw' });
 * await runCli(['--connect', `hyperv+http://127.0.0.1:${hv.port}`, 'vm', 'list'], { env });
 */
export async function startSyntheticHyperv(
  o: { user?: string; password?: string; vms?: SynthVm[] } = {},
): Promise<SyntheticHyperv> {
  const vms = new Map((o.vms ?? []).map((v) => [v.guid, v]));
  const jobs = new Map<string, { polls: number; mode: 'ok' | 'fails' | 'hangs' | 'bad' }>();
  const injections: Injection[] = [];
  const requests: string[] = [];
  const actions: string[] = [];

  const takeInjection = (method: string) => {
    const i = injections.findIndex((x) => x.method === method);
    return i < 0 ? undefined : injections.splice(i, 1)[0];
  };

  const allRows = (): Row[] => [
    ...[...vms.values()].map(vmRow),
    ...[...vms.values()].map(vssdRow),
    ...[...vms.values()].flatMap((v) => v.settings.map(settingRow)),
    ...[...vms.values()].filter((v) => v.enabled === 2).map(shutdownRow),
    SERVICE,
    SWITCH,
  ];

  function query(wql: string): Row[] | string {
    const select = /^SELECT \* FROM (\w+)(?: WHERE (.+))?$/is.exec(wql.trim());
    if (select) {
      const where = select[2] === undefined ? [] : conditions(select[2]);
      if (where === undefined) return `cannot read WHERE ${select[2]}`;
      return allRows().filter(
        (r) =>
          r.className === select[1] &&
          where.every(([k, v]) => String(r.props[k] ?? '').toLowerCase() === v.toLowerCase()),
      );
    }
    const assoc = /^ASSOCIATORS OF \{(\w+)\.(.+)\} WHERE AssocClass = (\w+) ResultClass = (\w+)$/is.exec(
      wql.trim(),
    );
    if (!assoc) return 'not a query this server knows';
    const keys = conditions(assoc[2]!.replace(/,/g, ' AND '));
    if (keys === undefined) return 'bad object path';
    const k = Object.fromEntries(keys);
    if (assoc[1] === 'Msvm_ComputerSystem' && assoc[3] === 'Msvm_SettingsDefineState') {
      const vm = [...vms.values()].find((v) => v.guid.toLowerCase() === (k.Name ?? '').toLowerCase());
      return vm && assoc[4] === 'Msvm_VirtualSystemSettingData' ? [vssdRow(vm)] : [];
    }
    if (
      assoc[1] === 'Msvm_VirtualSystemSettingData' &&
      assoc[3] === 'Msvm_VirtualSystemSettingDataComponent'
    ) {
      const vm = [...vms.values()].find((v) => `Microsoft:${v.guid}` === k.InstanceID);
      return vm ? vm.settings.filter((s) => s.className === assoc[4]).map(settingRow) : [];
    }
    return 'an association this server does not keep';
  }

  function newJob(mode: 'ok' | 'fails' | 'hangs' | 'bad'): Row {
    const id = randomUUID().toUpperCase();
    jobs.set(id, { polls: 0, mode });
    return { className: 'Msvm_ConcreteJob', props: {}, keys: [['InstanceID', id]] };
  }

  const output = (cls: string, method: string, rv: number, extra = '') =>
    `<p:${method}_OUTPUT xmlns:p="${V2}/${cls}">${extra}<p:ReturnValue>${rv}</p:ReturnValue></p:${method}_OUTPUT>`;

  /** The VM a settings WMI path or InstanceID belongs to, and the setting. */
  const findSetting = (vm: SynthVm, path: string) => {
    const m = /\.InstanceID="((?:[^"\\]|\\.)*)"$/.exec(path);
    const id = m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
    return vm.settings.find((s) => s.props.InstanceID === id);
  };

  function invoke(
    cls: string,
    method: string,
    keys: Record<string, string>,
    input: XmlElement,
  ): [number, string] {
    const inj = takeInjection(method);
    if (inj?.kind === 'returnValue') return [200, output(cls, method, inj.value)];
    const mode =
      inj?.kind === 'jobFails'
        ? 'fails'
        : inj?.kind === 'jobHangs'
          ? 'hangs'
          : inj?.kind === 'jobBadState'
            ? 'bad'
            : 'ok';
    const started = (apply: () => void, extra = '') => {
      if (inj?.kind === 'noJob') return [200, output(cls, method, 4096, extra)] as [number, string];
      const job = newJob(mode);
      if (mode === 'ok') apply();
      return [
        200,
        output(cls, method, 4096, `<p:Job>${eprXml(job.className, job.keys)}</p:Job>${extra}`),
      ] as [number, string];
    };
    const params = childElements(input);
    const param = (name: string) => params.filter((p) => p.local === name);
    if (cls === 'Msvm_ComputerSystem' && method === 'RequestStateChange') {
      const vm = vms.get(keys.Name ?? '');
      if (!vm) return [400, fault('InvalidSelectors', 'invalid selectors', 6, 'Not found')];
      const want = Number(text(param('RequestedState')[0]));
      const from = vm.enabled;
      const ok =
        (want === 2 && (from === 3 || from === 9 || from === 6)) ||
        want === 3 ||
        (want === 9 && from === 2) ||
        (want === 6 && (from === 2 || from === 9)) ||
        ((want === 10 || want === 11) && from === 2);
      if (!ok) return [200, output(cls, method, 32775)];
      return started(() => {
        vm.enabled = want === 10 || want === 11 ? 2 : want;
      });
    }
    if (cls === 'Msvm_ShutdownComponent' && method === 'InitiateShutdown') {
      const vm = vms.get(keys.SystemName ?? '');
      if (vm?.enabled !== 2) return [200, output(cls, method, 32775)];
      return started(() => {
        vm.enabled = 3;
      });
    }
    if (cls !== 'Msvm_VirtualSystemManagementService')
      return [400, fault('ActionNotSupported', `no ${cls}.${method}`, 7, 'Not supported')];
    const instances = (name: string) => param(name).map((p) => embedded(textContent(p)));
    if (method === 'DefineSystem') {
      const [vssd] = instances('SystemSettings');
      if (
        vssd === undefined ||
        typeof vssd === 'string' ||
        vssd.className !== 'Msvm_VirtualSystemSettingData'
      )
        return [200, output(cls, method, 32776)];
      const guid = randomUUID().toUpperCase();
      const vm: SynthVm = {
        guid,
        name: String(vssd.props.ElementName ?? 'New Virtual Machine'),
        enabled: 3,
        subType: String(vssd.props.VirtualSystemSubType ?? 'Microsoft:Hyper-V:SubType:1'),
        settings: defaultSettings(guid),
      };
      return started(
        () => vms.set(guid, vm),
        `<p:ResultingSystem>${eprXml('Msvm_ComputerSystem', vmRow(vm).keys)}</p:ResultingSystem>`,
      );
    }
    if (method === 'ModifyResourceSettings') {
      const list = instances('ResourceSettings');
      const targets: Array<[SynthSetting, Record<string, string | string[]>]> = [];
      for (const i of list) {
        if (typeof i === 'string') return [200, output(cls, method, 32776)];
        const s = [...vms.values()]
          .flatMap((v) => v.settings)
          .find((x) => x.props.InstanceID === i.props.InstanceID);
        if (!s) return [200, output(cls, method, 32773)];
        targets.push([s, i.props]);
      }
      return started(() => {
        for (const [s, p] of targets) Object.assign(s.props, p);
      });
    }
    if (method === 'AddResourceSettings') {
      const vssdId = eprKeys(param('AffectedConfiguration')[0] ?? input).InstanceID;
      const vm = [...vms.values()].find((v) => `Microsoft:${v.guid}` === vssdId);
      if (!vm) return [200, output(cls, method, 32773)];
      const made: SynthSetting[] = [];
      for (const i of instances('ResourceSettings')) {
        if (typeof i === 'string') return [200, output(cls, method, 32776)];
        const parent = i.props.Parent;
        if (typeof parent === 'string' && !findSetting(vm, parent)) return [200, output(cls, method, 32773)];
        const id = `Microsoft:${vm.guid}\\${randomUUID().toUpperCase()}\\0\\0\\D`;
        made.push({ className: i.className, props: { ...i.props, InstanceID: id } });
      }
      const refs = made
        .map(
          (s) =>
            `<p:ResultingResourceSettings>${eprXml(s.className, settingRow(s).keys)}</p:ResultingResourceSettings>`,
        )
        .join('');
      return started(() => vm.settings.push(...made), refs);
    }
    if (method === 'DestroySystem') {
      const guid = eprKeys(param('AffectedSystem')[0] ?? input).Name ?? '';
      if (!vms.has(guid)) return [200, output(cls, method, 32773)];
      return started(() => vms.delete(guid));
    }
    return [400, fault('ActionNotSupported', `no ${method}`, 7, 'Not supported')];
  }

  function handle(body: string): [number, string] {
    let root: XmlElement;
    try {
      root = parseXml(body).root;
    } catch {
      return [400, fault('SchemaValidationError', 'not XML', 4, 'Invalid parameter')];
    }
    const header = child(root, 'Header');
    const bodyEl = childElements(child(root, 'Body') ?? root)[0];
    const action = text(child(header, 'Action'));
    const id = text(child(header, 'MessageID'));
    const uri = text(child(header, 'ResourceURI'));
    const selectors: Record<string, string> = {};
    for (const s of childElements(child(header, 'SelectorSet') ?? root))
      if (s.local === 'Selector') selectors[getAttr(s, '', 'Name') ?? ''] = text(s);
    actions.push(action || 'Identify');
    const answer = (a: string, [status, b]: [number, string]): [number, string] =>
      status === 200
        ? [200, envelope(a, id, b)]
        : [status, envelope(`${WSMAN.replace('.xsd', '')}/fault`, id, b)];
    if (action === '') {
      return [
        200,
        `<s:Envelope xmlns:s="${SOAP}" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:IdentifyResponse><wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor><wsmid:ProductVersion>OS: 10.0.20348 SP: 0.0 Stack: 3.0</wsmid:ProductVersion></wsmid:IdentifyResponse></s:Body></s:Envelope>`,
      ];
    }
    if ('__cimnamespace' in selectors || !uri.startsWith(`${V2}/`))
      return answer('', [
        400,
        fault('InvalidSelectors', `${uri} with __cimnamespace`, 4, 'Invalid namespace'),
      ]);
    const cls = uri.slice(V2.length + 1);
    if (action === 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate') {
      const inj = takeInjection('Enumerate');
      if (inj?.kind === 'fault')
        return answer('', [
          500,
          fault(
            'InternalError',
            'The WS-Management service cannot process the request.',
            1,
            'Generic failure',
          ),
        ]);
      const filter = child(bodyEl, 'Filter');
      const rows = cls === '*' ? query(text(filter)) : 'enumerate the * URI with a WQL filter';
      if (typeof rows === 'string')
        return answer('', [400, fault('CannotProcessFilter', rows, 15, 'Invalid query')]);
      let items = rows
        .map(
          (r) =>
            `<w:Item>${objectXml(r.className, r.props)}<a:EndpointReference>${eprXml(r.className, r.keys)}</a:EndpointReference></w:Item>`,
        )
        .join('');
      if (inj?.kind === 'huge')
        items += `<w:Item>${objectXml('Msvm_ComputerSystem', { Notes: 'x'.repeat(inj.bytes) })}</w:Item>`;
      return answer(`${WSEN}/EnumerateResponse`, [
        200,
        `<n:EnumerateResponse><n:EnumerationContext/><w:Items>${items}</w:Items><w:EndOfSequence/></n:EnumerateResponse>`,
      ]);
    }
    if (action === 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get') {
      if (cls === 'Msvm_ConcreteJob') {
        const job = jobs.get(selectors.InstanceID ?? '');
        if (!job) return answer('', [400, fault('InvalidSelectors', 'no such job', 6, 'Not found')]);
        job.polls++;
        const state =
          job.polls < 2 || job.mode === 'hangs' ? 4 : job.mode === 'fails' ? 10 : job.mode === 'bad' ? 99 : 7;
        const props: Record<string, string> = {
          InstanceID: selectors.InstanceID ?? '',
          JobState: String(state),
          PercentComplete: state === 4 ? '50' : '100',
          ErrorCode: state === 10 ? '32768' : '0',
        };
        if (state === 10)
          props.ErrorDescription =
            "'web' failed to change state: the operation cannot be performed (synthetic failure).";
        return answer('http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse', [
          200,
          objectXml(cls, props),
        ]);
      }
      if (cls === 'Msvm_ComputerSystem') {
        const vm = vms.get(selectors.Name ?? '');
        if (!vm) return answer('', [400, fault('InvalidSelectors', 'invalid selectors', 6, 'Not found')]);
        return answer('http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse', [
          200,
          objectXml(cls, vmRow(vm).props),
        ]);
      }
      return answer('', [400, fault('InvalidSelectors', 'invalid selectors', 6, 'Not found')]);
    }
    const method = action.startsWith(`${uri}/`) ? action.slice(uri.length + 1) : '';
    if (method === '' || !bodyEl || bodyEl.local !== `${method}_INPUT`)
      return answer('', [400, fault('ActionNotSupported', `no action ${action}`, 7, 'Not supported')]);
    const inj = injections.find((x) => x.method === method);
    if (inj?.kind === 'fault') {
      takeInjection(method);
      return answer('', [
        500,
        fault('InternalError', 'The WS-Management service cannot process the request.', 1, 'Generic failure'),
      ]);
    }
    return answer(`${action}Response`, invoke(cls, method, selectors, bodyEl));
  }

  const server: Server = createServer((q: IncomingMessage, r: ServerResponse) => {
    const chunks: Buffer[] = [];
    q.on('data', (d: Buffer) => chunks.push(d));
    q.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push(body);
      if (o.user !== undefined) {
        const want = `Basic ${Buffer.from(`${o.user}:${o.password ?? ''}`).toString('base64')}`;
        if (q.headers.authorization !== want) {
          r.writeHead(401, { 'www-authenticate': 'Basic realm="WSMAN"', 'content-length': '0' });
          return r.end();
        }
      }
      const [status, xml] = handle(body);
      r.writeHead(status, { 'content-type': 'application/soap+xml;charset=UTF-8' });
      r.end(xml);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/wsman`,
    port,
    vms,
    requests,
    actions,
    inject: (i) => injections.push(i),
    close: async () => {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** The processor and memory Hyper-V gives a new VM (1 virtual processor, 1024 MiB). */
function defaultSettings(guid: string): SynthSetting[] {
  return [
    {
      className: 'Msvm_ProcessorSettingData',
      props: {
        AllocationUnits: 'percent',
        ElementName: 'Processor',
        InstanceID: `Microsoft:${guid}\\B637F346-6A0E-4DEC-AF52-BD70CB80A21D\\0`,
        ResourceSubType: 'Microsoft:Hyper-V:Processor',
        ResourceType: '3',
        VirtualQuantity: '1',
      },
    },
    {
      className: 'Msvm_MemorySettingData',
      props: {
        AllocationUnits: 'byte*2^20',
        ElementName: 'Memory',
        InstanceID: `Microsoft:${guid}\\4764334D-E001-4176-82EE-5594EC9B530E`,
        ResourceSubType: 'Microsoft:Hyper-V:Memory',
        ResourceType: '4',
        VirtualQuantity: '1024',
      },
    },
  ];
}

/**
 * A stopped VM as the synthetic host keeps it, with Hyper-V's default processor and memory.
 *
 * @example
 * const hv = await startSyntheticHyperv({ vms: [synthVm('old1')] });
 */
export function synthVm(name: string, enabled = 3): SynthVm {
  const guid = randomUUID().toUpperCase();
  return { guid, name, enabled, subType: 'Microsoft:Hyper-V:SubType:2', settings: defaultSettings(guid) };
}
