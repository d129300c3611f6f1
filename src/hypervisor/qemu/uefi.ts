import { chmodSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's `ovmf` package puts the UEFI firmware; `VESSEL_OVMF_DIR` overrides it. */
const OVMF_DIRS = [process.env.VESSEL_OVMF_DIR, '/usr/share/OVMF', '/usr/share/ovmf'].filter(
  (d): d is string => !!d,
);

/** The code and variable-store templates, 4 MiB build first (what Debian 12 defaults to). */
const PAIRS = [
  ['OVMF_CODE_4M.fd', 'OVMF_VARS_4M.fd'],
  ['OVMF_CODE.fd', 'OVMF_VARS.fd'],
] as const;

/**
 * The UEFI firmware for a VM: the read-only OVMF code image and the VM's own copy of the variable store in `vmDir`
 * (copied from the template on first use, so each VM keeps its boot entries). Undefined when OVMF is not installed.
 * With `create` false nothing is copied (used to check a definition before it runs).
 */
export function uefiFirmware(vmDir: string, create: boolean): { code: string; vars: string } | undefined {
  for (const dir of OVMF_DIRS) {
    for (const [code, vars] of PAIRS) {
      const codePath = join(dir, code);
      const template = join(dir, vars);
      if (!existsSync(codePath) || !existsSync(template)) continue;
      const own = join(vmDir, 'uefi-vars.fd');
      if (create && !existsSync(own)) {
        copyFileSync(template, own);
        chmodSync(own, 0o600); // the VM's own file: written by QEMU through a descriptor the host opens
      }
      return { code: codePath, vars: own };
    }
  }
  return undefined;
}
