import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { VirtualSystemDefinition } from '../../model/index.js';
import { HypervisorError } from '../errors.js';

/** The most a test inventory file may hold: it is this driver's own file, but a stray huge one is refused. */
const MAX_INVENTORY_BYTES = 64 << 20;

/**
 * The test driver's own inventory file, for `test:///default?owns=1`: the definitions a hypervisor that owns its
 * inventory keeps apart from the host (libvirt's /etc/libvirt/qemu), written atomically (0600) on every change and
 * read again when another driver on the same state directory changed it ("virsh define" behind the host's back).
 */
export class InventoryFile {
  /** The mtime and size of the file as last read or written, to see when someone else changed it. */
  private seen = '';

  constructor(readonly path: string) {}

  private stamp(): string {
    if (!existsSync(this.path)) return '';
    const st = statSync(this.path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  }

  /** True when the file changed since this driver last read or wrote it. */
  changed(): boolean {
    return this.stamp() !== this.seen;
  }

  /** Every definition in the file (none when it does not exist). */
  read(): VirtualSystemDefinition[] {
    this.seen = this.stamp();
    if (this.seen === '') return [];
    if (statSync(this.path).size > MAX_INVENTORY_BYTES) {
      throw new HypervisorError(
        'DEFINITION_INVALID',
        `${this.path} is larger than ${MAX_INVENTORY_BYTES} bytes`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new HypervisorError('DEFINITION_INVALID', `${this.path} is not JSON: ${(e as Error).message}`);
    }
    const systems = (raw as { systems?: unknown }).systems;
    if (!Array.isArray(systems)) {
      throw new HypervisorError('DEFINITION_INVALID', `${this.path} has no "systems" list`);
    }
    return systems as VirtualSystemDefinition[];
  }

  /** Replaces the file's content with these definitions. */
  write(defs: readonly VirtualSystemDefinition[]): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ systems: defs }), { mode: 0o600 });
    renameSync(tmp, this.path);
    this.seen = this.stamp();
  }
}
