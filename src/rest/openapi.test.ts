import { readFileSync, writeFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { METHODS } from '../api/index.js';
import { OPENAPI_FILE } from './contract.case.test.js';
import { buildOpenApi } from './openapi.js';
import { ROUTES } from './routes.js';

const UPDATE = process.env.VESSEL_UPDATE_OPENAPI === '1';

describe('the OpenAPI document (VESSEL_UPDATE_OPENAPI=1 regenerates src/rest/openapi.json)', () => {
  it('is the checked-in file', () => {
    const generated = buildOpenApi();
    if (UPDATE) writeFileSync(OPENAPI_FILE, `${JSON.stringify(generated, null, 2)}\n`);
    expect(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))).toEqual(generated);
  });

  it('is valid OpenAPI 3.1', async () => {
    const v = new Validator();
    const res = await v.validate(buildOpenApi() as Parameters<Validator['validate']>[0]);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(v.version).toBe('3.1');
  });

  it('documents every route once, with the role of the Api method it calls', () => {
    const doc = buildOpenApi() as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const ids = new Set<string>();
    for (const r of ROUTES) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op?.operationId).toBe(r.operationId);
      expect(op?.['x-vessel-role']).toBe(r.calls === undefined ? 'reader' : METHODS[r.calls].role);
      expect(ids.has(r.operationId)).toBe(false);
      ids.add(r.operationId);
    }
  });

  it('names recurring schemas as components', () => {
    const text = JSON.stringify(buildOpenApi());
    expect(text).toContain('"$ref":"#/components/schemas/SystemDetail"');
    expect(text).toContain('"$ref":"#/components/schemas/VirtualSystemDefinition"');
    expect(text).not.toContain('"type":"void"');
  });

  it('has schemas that JSON Schema 2020-12 (ajv, strict types) compiles, requests and responses alike', () => {
    const doc = buildOpenApi() as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, unknown> };
    };
    const ajv = new Ajv2020({ strict: false, strictTypes: true, allowUnionTypes: true });
    ajv.addSchema({ $id: 'https://vessel.invalid/doc', components: doc.components });
    const schemas: unknown[] = [];
    const collect = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'schema') schemas.push(v);
        else collect(v);
      }
    };
    collect(doc.paths);
    expect(schemas.length).toBeGreaterThan(40);
    for (const s of [...schemas, ...Object.values(doc.components.schemas)]) {
      const abs = JSON.parse(
        JSON.stringify(s).replaceAll('"$ref":"#/', '"$ref":"https://vessel.invalid/doc#/'),
      ) as object;
      expect(() => ajv.compile(abs)).not.toThrow();
    }
  });
});
