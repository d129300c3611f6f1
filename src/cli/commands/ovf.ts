import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseSize } from '../../model/index.js';
import * as ovf from '../../ovf/index.js';
import { markCommand } from '../connect/kinds.js';
import { ExitCode, exitCodeFor } from '../exit.js';
import { writeAtomic } from '../files.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { registerOvfEdit } from './ovf-edit.js';
import { printEulas, printInfo, readDescriptor } from './ovf-info.js';

/** The OVF version a descriptor declares, as `vessel ovf validate --json` reports it. */
function ovfVersionOf(env: ovf.OvfEnvelope): string {
  if (env.generation === '0.9') return '0.9';
  return env.version ?? (env.generation === '2' ? '2.0' : '1.0');
}

registerGroup((program: Command) => {
  const cmd = markCommand(program.command('ovf'), 'offline').description(
    'Read, validate, author and edit OVF descriptors',
  );

  cmd
    .command('validate')
    .description('Validate descriptors (exit 0: no errors, 1: errors, 2: unreadable or not well-formed XML)')
    .argument('<file...>', 'OVF descriptors or OVA packages (the descriptor inside is validated)')
    .option('--json', 'one JSON object per file per line')
    .option('--lax', 'report portability issues as warnings, as ovftool --lax does')
    .option('--target <platform>', 'also warn about what this platform rejects: vmware, virtualbox or qemu')
    .action(
      action(async (files: string[], opts: { json?: boolean; lax?: boolean; target?: string }) => {
        const target = opts.target;
        if (target !== undefined && !['vmware', 'virtualbox', 'qemu'].includes(target)) {
          throw new ovf.OvfError('OVF_EDIT', `Unknown --target "${target}": use vmware, virtualbox or qemu`);
        }
        let worst: number = ExitCode.Ok;
        for (const file of files) {
          let result: { valid: boolean; ovfVersion?: string; diagnostics: ovf.OvfDiagnostic[]; code: number };
          try {
            const env = await readDescriptor(file);
            const diagnostics = ovf.validateOvf(env, {
              file,
              ...(opts.lax ? { lax: true } : {}),
              ...(target ? { target: target as 'vmware' | 'virtualbox' | 'qemu' } : {}),
            });
            const valid = !diagnostics.some((d) => d.severity === 'error');
            result = {
              valid,
              ovfVersion: ovfVersionOf(env),
              diagnostics,
              code: valid ? ExitCode.Ok : ExitCode.Failed,
            };
          } catch (e) {
            const err = e as ovf.OvfError;
            const d: ovf.OvfDiagnostic = {
              code: err.code ?? 'INTERNAL',
              severity: 'error',
              message: err.message,
              ...(err.hint ? { hint: err.hint } : {}),
              ...(err.location?.line !== undefined ? { line: err.location.line } : {}),
              ...(err.location?.column !== undefined ? { column: err.location.column } : {}),
            };
            result = {
              valid: false,
              diagnostics: [d],
              code: exitCodeFor(e) === ExitCode.Failed ? ExitCode.Failed : ExitCode.Usage,
            };
          }
          worst = Math.max(worst, result.code);
          if (opts.json) {
            printJson({
              file,
              valid: result.valid,
              ovfVersion: result.ovfVersion ?? null,
              diagnostics: result.diagnostics.map((d) => ({
                code: d.code,
                severity: d.severity,
                line: d.line ?? null,
                column: d.column ?? null,
                message: d.message,
                ...(d.hint ? { hint: d.hint } : {}),
              })),
            });
          } else {
            for (const d of result.diagnostics) {
              const where =
                d.line === undefined
                  ? file
                  : `${file}:${d.line}${d.column === undefined ? '' : `:${d.column}`}`;
              println(`${where}: ${d.severity} ${d.code}: ${d.message}`);
              if (d.hint) println(`  hint: ${d.hint}`);
            }
            const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
            const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
            println(
              `${file}: ${result.valid ? 'valid' : 'INVALID'} (${errors} error(s), ${warnings} warning(s))`,
            );
          }
        }
        return worst;
      }),
    );

  cmd
    .command('info')
    .description(
      'Summarise a descriptor or OVA: systems, hardware per configuration, disks, networks, properties, files',
    )
    .argument('<file>', 'an .ovf descriptor or an .ova package')
    .option('--json', 'print JSON (it carries the EULA texts too)')
    .option('--eula', 'print the EULA texts only (with --json: {file, eulas: [{system, text}]})')
    .action(
      action(async (file: string, opts: { json?: boolean; eula?: boolean }) => {
        const env = await readDescriptor(file);
        const info = ovf.ovfInfo(env);
        if (opts.eula && opts.json)
          printJson({
            file,
            eulas: info.systems.flatMap((s) => s.eulas.map((text) => ({ system: s.id, text }))),
          });
        else if (opts.eula) printEulas(basename(file), info);
        else if (opts.json) printJson(info);
        else printInfo(basename(file), info);
        return ExitCode.Ok;
      }),
    );

  cmd
    .command('format')
    .description(
      'Parse a descriptor (or the one in an OVA) and write it back to stdout (unknown content is kept; 0.9 becomes 1.0)',
    )
    .argument('<file>', 'an .ovf descriptor or an .ova package')
    .action(
      action(async (file: string) => {
        process.stdout.write(ovf.formatOvf(await readDescriptor(file)));
        return ExitCode.Ok;
      }),
    );

  cmd
    .command('new')
    .description('Author a new descriptor for one virtual machine')
    .argument('<name>', 'the virtual system name and id')
    .requiredOption('-o, --output <file>', 'where to write the descriptor')
    .option('--cpus <n>', 'virtual CPUs', '1')
    .option('--memory <size>', 'memory, e.g. 512M or 2G', '512M')
    .option('--ovf-version <v>', '1.0 or 2.0', '1.0')
    .option('--os-id <n>', 'CIM_OperatingSystem.OsType of the guest (DSP0243 §9.7)', '1')
    .option('--os <text>', 'description of the guest operating system')
    .option('--json', 'print what was written as JSON')
    .action(
      action(
        async (
          name: string,
          o: {
            output: string;
            cpus: string;
            memory: string;
            ovfVersion: string;
            osId: string;
            os?: string;
            json?: boolean;
          },
        ) => {
          if (o.ovfVersion !== '1.0' && o.ovfVersion !== '2.0')
            throw new ovf.OvfError('OVF_EDIT', `--ovf-version must be 1.0 or 2.0, not "${o.ovfVersion}"`);
          const env = ovf.createEnvelope({
            name,
            cpus: Number(o.cpus),
            memoryBytes: parseSize(o.memory),
            generation: o.ovfVersion === '2.0' ? '2' : '1',
            osId: o.osId,
            ...(o.os ? { osDescription: o.os } : {}),
          });
          await writeAtomic(o.output, ovf.formatOvf(env));
          if (o.json) printJson({ output: o.output, ...ovf.ovfInfo(env) });
          return ExitCode.Ok;
        },
      ),
    );

  registerOvfEdit(cmd);
});
