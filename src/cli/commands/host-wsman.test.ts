import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { freePort } from '../../../test/helpers/ports.js';
import { serveHost } from '../../../test/helpers/serve.js';

let state: string;
beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vessel-hostwsman-'));
  expect(
    (await runCli(['user', 'add', 'admin', '--role', 'admin', '--state', state], { input: 'secret\n' })).code,
  ).toBe(0);
});
afterAll(async () => {
  await rm(state, { recursive: true, force: true });
});

describe('vessel host serve --wsman-http/--wsman-https', () => {
  it('serves WS-Man alone (CIM-XML ports 0) over HTTP and HTTPS, with the users of the host', async () => {
    const [http, https] = [await freePort(), await freePort()];
    const host = await serveHost({
      users: [['admin', 'admin', 'secret']],
      args: [
        '--cim-http',
        '0',
        '--cim-https',
        '0',
        '--wsman-http',
        String(http),
        '--wsman-https',
        String(https),
      ],
      ready: 'WS-Man:',
      prefix: 'vessel-hostwsman-',
    });
    try {
      const out = host.banner;
      expect(out).toContain(`WS-Man: http://127.0.0.1:${http}/wsman, https://0.0.0.0:${https}/wsman`);
      expect(out).not.toContain('CIM-XML:');
      const identify =
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:i="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><i:Identify/></s:Body></s:Envelope>';
      const r = await fetch(`http://127.0.0.1:${http}/wsman`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` },
        body: identify,
      });
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('<wsmid:ProductVendor>Vessel</wsmid:ProductVendor>');
      const bad = await fetch(`http://127.0.0.1:${http}/wsman`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` },
        body: identify,
      });
      expect(bad.status).toBe(401);
    } finally {
      await host.close();
    }
  }, 30_000);

  it('refuses a port that is not one, naming the option (exit 2)', async () => {
    const r = await runCli(['host', 'serve', '--state', state, '--wsman-http', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--wsman-http must be a port number from 0 (off) to 65535, not "abc"');
  });
});
