import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What one wbemcli run gave: its exit code (-1 when killed) and its standard output and error together. */
export interface WbemcliResult {
  code: number;
  out: string;
}

/**
 * Runs Debian's sblim-wbemcli (a real third-party CIM-XML client) as an administrator's script would, never
 * throwing: a refusal is its exit code and message. Killed after 20 s.
 *
 * @example
 * const r = await wbemcli('ein', `http://admin:secret@127.0.0.1:${port}/root/virtualization:CIM_ComputerSystem`);
 * expect(r.code).toBe(0);
 */
export async function wbemcli(...args: string[]): Promise<WbemcliResult> {
  try {
    const r = await run('wbemcli', args, { timeout: 20_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}
