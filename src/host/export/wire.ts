import { isAbsolute } from 'node:path';
import { type DigestAlgorithm, loadSigner, parseDigestAlgorithm } from '../../ova/index.js';
import { HostError } from '../errors.js';
import type { ExportOptions } from './export.js';
import { EXPORT_TARGETS, type ExportTarget } from './target.js';

/**
 * The parameters of the socket method `vm.export`, checked: `format` (ova|ovf), `output` (absolute path),
 * `ovfVersion` (1.0|2.0), `target` (generic|vmware|virtualbox), `manifest` (sha1|sha256|sha512|none),
 * `keyPem`/`certPem` (PEM text, to sign), `keepMacs`, `overwrite`, `level`. Throws `USAGE` naming the bad one.
 */
export function exportOptionsFromWire(p: Record<string, unknown>): ExportOptions {
  const str = (k: string): string | undefined => {
    const v = p[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new HostError('USAGE', `The parameter "${k}" must be a string`);
    return v;
  };
  const format = str('format') ?? 'ova';
  if (format !== 'ova' && format !== 'ovf')
    throw new HostError('USAGE', `Unknown format "${format}": use ova or ovf`);
  const output = str('output');
  if (output === undefined || !isAbsolute(output))
    throw new HostError('USAGE', 'The parameter "output" must be an absolute path');
  const ovfVersion = str('ovfVersion');
  if (ovfVersion !== undefined && ovfVersion !== '1.0' && ovfVersion !== '2.0')
    throw new HostError('USAGE', `Unknown OVF version "${ovfVersion}": use 1.0 or 2.0`);
  const target = str('target');
  if (target !== undefined && !EXPORT_TARGETS.includes(target as ExportTarget))
    throw new HostError('USAGE', `Unknown target "${target}": use ${EXPORT_TARGETS.join(', ')}`);
  const m = str('manifest');
  let manifest: DigestAlgorithm | 'none' | undefined;
  if (m !== undefined) {
    manifest = m.toLowerCase() === 'none' ? 'none' : parseDigestAlgorithm(m);
    if (manifest === undefined)
      throw new HostError('USAGE', `Unknown manifest algorithm "${m}": use sha1, sha256, sha512 or none`);
  }
  const key = str('keyPem');
  const cert = str('certPem');
  if (cert !== undefined && key === undefined) throw new HostError('USAGE', 'A certificate needs its key');
  const level = p.level;
  if (
    level !== undefined &&
    (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 9)
  )
    throw new HostError('USAGE', 'The parameter "level" must be a whole number from 1 to 9');
  return {
    format,
    output,
    ovfVersion,
    target: target as ExportTarget | undefined,
    manifest,
    signer: key === undefined ? undefined : loadSigner(key, cert),
    keepMacs: p.keepMacs === true,
    overwrite: p.overwrite === true,
    level: level as number | undefined,
  };
}
