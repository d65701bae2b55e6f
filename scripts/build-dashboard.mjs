// Bundles the dashboard (src/server/dashboard) into dist/dashboard with esbuild: no CDN, everything from npm.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/dashboard`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}src/server/dashboard/client/main.ts`],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: false,
  outfile: `${out}/dashboard.js`,
  logLevel: 'warning',
});
copyFileSync(`${root}src/server/dashboard/index.html`, `${out}/index.html`);
console.log(`dashboard built in ${out}`);
