#!/usr/bin/env node
// Launcher for the `roma` command: runs the compiled CLI from dist/ (built by `npm ci` through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error('roma: dist/ is missing. Run `npm run build` (or `npm ci`, which builds) first.');
  process.exit(1);
}
await import(compiled);
