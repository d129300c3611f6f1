import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type CimInstance, isInstance } from '../../cim/index.js';
import { ensureCertificate, loadCertificate, printable, startIndicationListener } from '../../wbem/index.js';
import { markCommand } from '../connect/kinds.js';
import { action, CommandExit, printJson, println } from '../output.js';
import { jsonValue } from './cim-output.js';

interface ListenOptions {
  address: string;
  https?: boolean;
  cert?: string;
  key?: string;
  count?: string;
  maxBody: string;
  json?: boolean;
}

function prop(i: CimInstance, name: string): string | undefined {
  const v = i.properties[name];
  return typeof v === 'string' ? printable(v).slice(0, 512) : undefined;
}

/**
 * One line of an indication: its time, class and filter, then what it is about: the source instance's class,
 * Name and EnabledState (with the previous state) for instance indications, severity and message for alerts.
 * Text from the sender is shown without control characters.
 *
 * @example
 * indicationLine(i); // '20261203105400.000000+000 CIM_InstModification [f1] Vessel_ComputerSystem Name="vm1" EnabledState=2 (was 3)'
 */
export function indicationLine(i: CimInstance): string {
  const parts = [prop(i, 'IndicationTime') ?? '-', printable(i.className)];
  const filter = prop(i, 'IndicationFilterName');
  if (filter) parts.push(`[${filter}]`);
  const src = i.properties.SourceInstance;
  if (isInstance(src)) {
    parts.push(printable(src.className));
    const name = prop(src, 'Name');
    if (name !== undefined) parts.push(`Name=${JSON.stringify(name)}`);
    const state = prop(src, 'EnabledState');
    const prev = i.properties.PreviousInstance;
    const was = isInstance(prev) ? prop(prev, 'EnabledState') : undefined;
    if (state !== undefined) parts.push(`EnabledState=${state}${was === undefined ? '' : ` (was ${was})`}`);
  }
  const severity = prop(i, 'PerceivedSeverity');
  if (i.className.toLowerCase().includes('alert') && severity) parts.push(`severity=${severity}`);
  const message = prop(i, 'Message') ?? prop(i, 'Description');
  if (message) parts.push(JSON.stringify(message));
  return parts.join(' ');
}

/**
 * `vessel cim listen PORT`: a CIM-XML indication listener (DSP0200 ExportIndication) that prints each indication
 * on one line (or one JSON object a line), until SIGINT/SIGTERM or `--count` indications.
 */
export function registerListen(cim: Command): void {
  // A listener talks to no host (hosts deliver to it): the host options are refused, as for local-file commands.
  markCommand(cim.command('listen <port>'), 'offline')
    .description(
      'receive CIM-XML indications (ExportIndication) and print one a line; give http(s)://HOST:PORT/ as a listener destination',
    )
    .option('--address <address>', 'the address to listen on', '127.0.0.1')
    .option(
      '--https',
      'serve HTTPS (a self-signed certificate is generated unless --cert and --key are given)',
    )
    .option('--cert <file>', 'the PEM certificate for --https')
    .option('--key <file>', 'the PEM key for --https')
    .option('--count <n>', 'exit after this many indications')
    .option('--max-body <bytes>', 'the largest request accepted', String(1 << 20))
    .option('--json', 'one JSON object a line')
    .action(
      action(async (portText: string, o: ListenOptions) => {
        const port = Number(portText);
        if (!/^\d+$/.test(portText) || port > 65535) {
          process.stderr.write(
            `vessel: PORT must be a port number (0-65535), not "${printable(portText)}"\n`,
          );
          throw new CommandExit(2);
        }
        const count = o.count === undefined ? undefined : Number(o.count);
        const maxBody = Number(o.maxBody);
        if (
          (count !== undefined && !(Number.isInteger(count) && count > 0)) ||
          !(Number.isInteger(maxBody) && maxBody > 0)
        ) {
          process.stderr.write('vessel: --count and --max-body must be positive whole numbers\n');
          throw new CommandExit(2);
        }
        let tmp: string | undefined;
        let tls: { key: Buffer; cert: Buffer; fingerprint256: string; certFile: string } | undefined;
        if (o.https) {
          if (o.cert && o.key) tls = await loadCertificate(o.key, o.cert);
          else {
            tmp = await mkdtemp(join(tmpdir(), 'vessel-listen-'));
            tls = await ensureCertificate(tmp, 'localhost');
          }
        }
        let seen = 0;
        let done!: () => void;
        const finished = new Promise<void>((resolve) => {
          done = resolve;
        });
        const listener = await startIndicationListener({
          port,
          host: o.address,
          tls,
          maxBodyBytes: maxBody,
          onIndication: (i) => {
            if (count !== undefined && seen >= count) return;
            seen++;
            if (o.json)
              printJson({
                className: i.className,
                properties: Object.fromEntries(
                  Object.entries(i.properties).map(([k, v]) => [k, jsonValue(v)]),
                ),
              });
            else println(indicationLine(i));
            if (count !== undefined && seen >= count) done();
          },
          onRefused: (why, from) =>
            process.stderr.write(`vessel: refused a request from ${from}: ${printable(why)}\n`),
        });
        process.stderr.write(
          `Listening for indications on ${listener.url}${tls ? ` (certificate ${tls.certFile}, SHA-256 ${tls.fingerprint256})` : ''}\n`,
        );
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        try {
          await finished;
        } finally {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          await listener.close();
          if (tmp) await rm(tmp, { recursive: true, force: true });
        }
        return 0;
      }),
    );
}
