import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeDeployOptions, readDeployOptionsFile } from './deploy-options.js';

const dir = mkdtempSync(join(tmpdir(), 'vessel-deploy-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (text: string) => {
  const p = join(dir, `o${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, text);
  return p;
};

async function refusal(text: string): Promise<string> {
  const p = file(text);
  const e = await readDeployOptionsFile(p).then(
    () => undefined,
    (x: unknown) => x as { code: string; message: string },
  );
  expect(e?.code).toBe('USAGE');
  return e!.message.replace(p, 'F');
}

describe('readDeployOptionsFile()', () => {
  it('reads what a dry run writes', async () => {
    const o = {
      name: 'web',
      configuration: 'large',
      properties: { port: '8443', owner: '' },
      networks: { front: 'user' },
      powerOn: false,
      acceptEula: true,
      lax: false,
      requireSignature: false,
    };
    expect(await readDeployOptionsFile(file(JSON.stringify(o)))).toEqual(o);
  });

  it('refuses keys an object prototype has, options a session decides, and the refused pool', async () => {
    expect(await refusal('{"__proto__": {"powerOn": true}}')).toBe(
      'Options file "F": /__proto__: not a deploy option',
    );
    expect(await refusal('{"constructor": "x"}')).toBe('Options file "F": /constructor: not a deploy option');
    expect(await refusal('{"waitMs": 0}')).toBe('Options file "F": /waitMs: not a deploy option');
    expect(await refusal('{"pool": "default"}')).toBe('Options file "F": /pool: not a deploy option');
    expect(await refusal('{"networks": {"a": ["b"]}}')).toBe(
      'Options file "F": /networks/a: Expected string',
    );
    expect(await refusal('null')).toBe('Options file "F": /: Expected object');
  });
});

describe('mergeDeployOptions()', () => {
  it("gives each flag in place of the file's value, properties and networks key by key", () => {
    const merged = mergeDeployOptions(
      {
        name: 'a',
        configuration: 'small',
        properties: { port: '1', owner: 'x' },
        networks: { front: 'user', back: 'lan' },
        powerOn: true,
        acceptEula: true,
      },
      { name: 'b', properties: { port: '2' }, networks: { back: 'user' }, lax: true },
    );
    expect(merged).toEqual({
      name: 'b',
      configuration: 'small',
      properties: { port: '2', owner: 'x' },
      networks: { front: 'user', back: 'user' },
      powerOn: true,
      acceptEula: true,
      lax: true,
      requireSignature: false,
    });
    const none = mergeDeployOptions({}, { properties: {}, networks: {} });
    expect(none).toEqual({
      properties: {},
      networks: {},
      powerOn: false,
      acceptEula: false,
      lax: false,
      requireSignature: false,
    });
  });
});
