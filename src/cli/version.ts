// The package's version, read once from package.json (shown by `--version` and to MCP clients).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** src/cli/ is two folders below package.json, the build's dist/src/cli/ three: the first one found wins. */
function readVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = require(candidate) as { name?: string; version?: string };
      if (manifest.name === 'roma-ptc' && typeof manifest.version === 'string') return manifest.version;
    } catch {}
  }
  return '0.0.0';
}

export const ROMA_VERSION: string = readVersion();
