// How to start the bundled sales MCP server as a stdio child, from the sources (tsx) or the built package.
import { fileURLToPath } from 'node:url';
import type { McpServerConfig } from '../../config/sections/ptc.js';

/** The server's entry beside this module: `server.ts` under tsx, `server.js` in dist/. */
export function salesServerConfig(env: Record<string, string> = {}): McpServerConfig {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./server.${fromSources ? 'ts' : 'js'}`, import.meta.url));
  const packageRoot = fileURLToPath(new URL(fromSources ? '../../../' : '../../../../', import.meta.url));
  return {
    transport: 'stdio',
    command: process.execPath,
    // `--import tsx` resolves from the working directory: the package root, where node_modules/tsx is.
    args: fromSources ? ['--import', 'tsx', entry] : [entry],
    env,
    cwd: packageRoot,
    timeoutMs: 30_000,
  };
}
