import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGuestPackage, Host, Store, serveHostApi, USERS_FILE, UserStore } from '../../src/host/index.js';
import { ensureTestGuest, type TestGuest } from '../../src/hypervisor/index.js';
import { type CimXmlEndpoint, hostApiFactory, serveCimXml } from '../../src/wbem/index.js';
import { exposed, filesContaining, walkTree } from './tree.js';

/**
 * Finding 6 of issue 9: the state directory was 0755 and vessel.db 0644, and OVF password properties were kept in
 * plain text. These tests walk the whole state tree (and the run directory) after a fresh start with CIM users and
 * the HTTPS certificate, after a deploy, after an export, and after a real QEMU boot: no file has a group or other
 * bit, no folder is wider than 0700, and a password property's value is nowhere but in the system's OVF
 * environment CD. The process umask is the common 022 first, so the host has to make things private itself.
 */

const MARKER = `pw-marker-${process.pid}-${Date.now().toString(36)}`;
let work: string;
let guest: TestGuest;
let ova: string;

beforeAll(async () => {
  process.umask(0o022);
  work = mkdtempSync(join(tmpdir(), 'vessel-files-'));
  guest = await ensureTestGuest();
  ova = await buildGuestPackage({
    disk: guest.disk,
    out: join(work, 'guest.ova'),
    properties: [
      { key: 'greeting', type: 'string', value: 'hello', userConfigurable: true },
      { key: 'secret', type: 'string', password: true, userConfigurable: true, qualifiers: 'MaxLen(64)' },
    ],
  });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the state tree of a host', () => {
  let state: string;
  let host: Host;
  let server: { close(): Promise<void> };
  let cim: CimXmlEndpoint;
  let uuid: string;

  beforeAll(async () => {
    state = join(mkdtempSync(join(work, 's-')), 'state');
    host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
    server = await serveHostApi(host);
    cim = await serveCimXml({
      api: hostApiFactory(host),
      stateDir: state,
      http: { port: 0 },
      https: { port: 0 },
    });
    await new UserStore(join(state, USERS_FILE)).add('alice', 'admin', 'alice-password');
  });
  afterAll(async () => {
    await cim.close();
    await server.close();
    await host.close();
  });

  it('is private after a fresh start: the database and its WAL, users, HTTPS key, socket', () => {
    const tree = walkTree(state);
    expect(lstatSync(state).mode & 0o777).toBe(0o700);
    expect(tree.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        'vessel.db',
        'vessel.db-wal',
        'vessel.db-shm',
        USERS_FILE,
        'cim-key.pem',
        'cim-cert.pem',
        'run/host.sock',
      ]),
    );
    expect(exposed(tree)).toEqual([]);
  });

  it('is private after a deploy, and the password is only in the OVF environment CD', async () => {
    const r = await host.deploy({ package: ova, name: 'files1', properties: { secret: MARKER } }).done;
    uuid = r.vms[0]!.uuid;
    const tree = walkTree(state);
    expect(tree.map((e) => e.path)).toEqual(
      expect.arrayContaining([`vms/${uuid}`, `vms/${uuid}/ovf-env.iso`, `vms/${uuid}/.vessel-deploy`]),
    );
    expect(exposed(tree)).toEqual([]);
    expect(filesContaining(tree, MARKER)).toEqual([`vms/${uuid}/ovf-env.iso`]);
    expect(host.getMetadata(uuid)['ovf.properties']).toBe('{"greeting":"hello","secret":"********"}');
  });

  it('is private after an export, and the export is 0600 and carries no password', async () => {
    const out = join(work, 'export.ova');
    await host.exportVm('files1', { format: 'ova', output: out }).done;
    const tree = walkTree(state);
    expect(exposed(tree)).toEqual([]);
    expect(filesContaining(tree, MARKER)).toEqual([`vms/${uuid}/ovf-env.iso`]);
    expect(lstatSync(out).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(out);
    expect(bytes.includes('ovf:key="secret"')).toBe(true);
    expect(bytes.includes(MARKER)).toBe(false);
  });

  it('refuses a password that breaks its qualifiers without saying it, in the error and the job record', async () => {
    const long = `${MARKER}-${'x'.repeat(80)}`;
    const err = (await host
      .deploy({ package: ova, name: 'files2', properties: { secret: long } })
      .done.catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('DEPLOY_PROPERTY');
    expect(err.message).toMatch(/^Property "secret" \(string MaxLen\(64\)\): the value is \d+ characters/);
    expect(err.message).not.toContain(MARKER);
    const job = host.store.listJobs(1)[0]!;
    expect(job.error?.code).toBe('DEPLOY_PROPERTY');
    expect(JSON.stringify(job)).not.toContain(MARKER);
    host.store.checkpoint();
    expect(filesContaining(walkTree(state), MARKER)).toEqual([`vms/${uuid}/ovf-env.iso`]);
  });
});

describe('a state directory from an older Vessel', () => {
  it('is tightened, and the passwords kept in its store are removed from the disk', async () => {
    const state = join(mkdtempSync(join(work, 'old-')), 'state');
    const first = await Host.open({ stateDir: state, driverUri: 'test:///default' });
    const r = await first.deploy({ package: ova, name: 'old1', properties: { secret: MARKER } }).done;
    const uuid = r.vms[0]!.uuid;
    await first.close();
    // What an older Vessel left: the password among the stored values, and readable modes.
    const store = new Store(join(state, 'vessel.db'));
    store.setMetadata(uuid, 'ovf.properties', JSON.stringify({ greeting: 'hello', secret: MARKER }));
    store.close();
    chmodSync(state, 0o755);
    chmodSync(join(state, 'vessel.db'), 0o644);
    expect(filesContaining(walkTree(state), MARKER)).toContain('vessel.db');

    const host = await Host.open({ stateDir: state, driverUri: 'test:///default' });
    try {
      expect(host.getMetadata(uuid)['ovf.properties']).toBe('{"greeting":"hello","secret":"********"}');
      const tree = walkTree(state);
      expect(exposed(tree)).toEqual([]);
      expect(filesContaining(tree, MARKER)).toEqual([`vms/${uuid}/ovf-env.iso`]);
    } finally {
      await host.close();
    }
  });
});

describe('a real QEMU boot', () => {
  it('leaves only private files: overlays, console and QEMU logs, pid files, sockets', async () => {
    const state = join(mkdtempSync(join(work, 'q-')), 'state');
    const host = await Host.open({ stateDir: state, driverUri: 'qemu:///embed?accel=tcg' });
    try {
      const r = await host.deploy({
        package: ova,
        name: 'boot1',
        properties: { secret: MARKER },
        powerOn: true,
      }).done;
      const uuid = r.vms[0]!.uuid;
      const running = walkTree(state);
      expect(running.map((e) => e.path)).toEqual(
        expect.arrayContaining([`vms/${uuid}/console.log`, `vms/${uuid}/qemu.log`, `run/${uuid}`]),
      );
      expect(exposed(running)).toEqual([]);
      // The guest prints its environment (with the password) on its console and powers off.
      const con = await host.console(uuid);
      const end = Date.now() + 90_000;
      while (host.get(uuid).state !== 'stopped' && Date.now() < end)
        await new Promise((s) => setTimeout(s, 300));
      expect(host.get(uuid).state).toBe('stopped');
      expect(await con.readLog()).toContain(guest.markers.done);
      const tree = walkTree(state);
      expect(exposed(tree)).toEqual([]);
      // What the guest itself wrote to its console is the guest's; the host kept the password nowhere else.
      expect(filesContaining(tree, MARKER).sort()).toEqual(
        [`vms/${uuid}/console.log`, `vms/${uuid}/ovf-env.iso`].sort(),
      );
    } finally {
      await host.close({ stopVms: true });
    }
  }, 150_000);
});
