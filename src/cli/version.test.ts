// ROMA_VERSION from source and from the build (dist/src/cli/ sits one folder deeper than src/cli/).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROMA_VERSION } from './version.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
const built = existsSync(`${root}dist/src/cli/version.js`);

describe('ROMA_VERSION', () => {
  it('is the package version when run from source', () => {
    expect(ROMA_VERSION).toBe(manifest.version);
  });

  it.skipIf(!built)('is the package version when run from the build (bin/roma.js --version)', () => {
    const result = spawnSync(process.execPath, [`${root}bin/roma.js`, '--version'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(manifest.version);
  });
});
