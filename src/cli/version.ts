// The package's version, read once from package.json (shown by `--version` and to MCP clients).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// From src/cli/ and from dist/cli/ alike, package.json is two folders up.
export const ROMA_VERSION: string = (require('../../package.json') as { version: string }).version;
