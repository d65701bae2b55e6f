// The checked-in `schemas/*.schema.json` must equal what the contracts produce now.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contractJsonSchemas, PUBLIC_CONTRACTS } from './index.js';

const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));
const FIX = 'schemas/ is out of date: run `npx roma schema export schemas` and commit the result';

describe('schemas/ is in sync with the contracts', () => {
  const generated = contractJsonSchemas();

  it('has exactly one file per public contract', () => {
    const files = readdirSync(SCHEMAS_DIR)
      .filter((name) => name.endsWith('.schema.json'))
      .sort();
    const expected = Object.keys(PUBLIC_CONTRACTS)
      .map((name) => `${name}.schema.json`)
      .sort();
    expect(files, FIX).toEqual(expected);
  });

  it.each(Object.keys(PUBLIC_CONTRACTS))('%s.schema.json equals the generated schema', (name) => {
    const onDisk: unknown = JSON.parse(readFileSync(`${SCHEMAS_DIR}${name}.schema.json`, 'utf8'));
    expect(onDisk, FIX).toEqual(generated[name]);
  });

  it('declares draft 2020-12 and a stable $id in each schema', () => {
    for (const [name, schema] of Object.entries(generated)) {
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`https://roma-ptc.dev/schemas/${name}.schema.json`);
      expect(schema.title).toBe(name);
    }
  });
});
