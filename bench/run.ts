// Runs one benchmark by name: `npm run bench -- <name> [--quick]` executes bench/<name>.ts (or bench/<name>/index.ts).
// `--quick` (or ROMA_BENCH_QUICK=1) asks for small sizes: seconds, not minutes; bench/benches.test.ts runs every
// bench that way and checks its JSON line, which must then carry `"quick": true`.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const name = process.argv[2];
const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((entry) => entry !== 'run.ts' && !entry.endsWith('.test.ts') && !entry.startsWith('support'))
  .map((entry) => entry.replace(/\.ts$/, ''));

if (!name) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ')})`);
  process.exit(2);
}
const candidates = [`${here}${name}.ts`, `${here}${name}/index.ts`];
const file = candidates.find((candidate) => existsSync(candidate));
if (!file) {
  console.error(`no benchmark named "${name}" (available: ${available.join(', ')})`);
  process.exit(2);
}
process.argv.splice(2, 1);
if (process.argv.includes('--quick')) process.env.ROMA_BENCH_QUICK = '1';
if (process.env.ROMA_BENCH_QUICK === '1') process.env.BENCH_QUICK = '1';
await import(pathToFileURL(file).href);
