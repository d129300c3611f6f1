import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REMOTE_PROCEDURE_TYPES, REMOTE_PROCEDURES } from './remote.js';

const root = join(import.meta.dirname, '../../..');
const protocol = join(root, '../shared/libvirt/protocol');

describe('generated/remote.ts', () => {
  it.skipIf(!existsSync(join(protocol, 'remote_protocol.x')))(
    'is what scripts/gen-libvirt.mjs makes of the protocol files',
    async () => {
      const { stderr } = await promisify(execFile)('node', [
        join(root, 'scripts/gen-libvirt.mjs'),
        '--check',
        protocol,
      ]);
      expect(stderr).toBe('');
    },
  );

  it('numbers the procedures as libvirt 9.0 does', () => {
    expect(REMOTE_PROCEDURES.CONNECT_OPEN).toBe(1);
    expect(REMOTE_PROCEDURES.DOMAIN_EVENT_CALLBACK_LIFECYCLE).toBe(318);
    expect(REMOTE_PROCEDURES.DOMAIN_FD_ASSOCIATE).toBe(443);
    expect(REMOTE_PROCEDURE_TYPES.DOMAIN_OPEN_CONSOLE.proc).toBe(201);
  });
});
