// Adapter the official MCP conformance suite runs as its client: our McpManager over streamable HTTP.
// Usage (by the suite): <this command> <server-url>; MCP_CONFORMANCE_SCENARIO names the scenario.
import { McpManager } from '../../../src/ptc/index.js';

const url = process.argv.at(-1);
if (!url?.startsWith('http')) {
  console.error('usage: client.ts <server-url>');
  process.exit(2);
}
/** Arguments for the suite's tools (others take none). */
const ARGUMENTS: Record<string, Record<string, unknown>> = { add_numbers: { a: 2, b: 3 } };

const manager = new McpManager({
  servers: { suite: { transport: 'http', url, headers: {}, timeoutMs: 10_000 } },
});
let exitCode = 0;
try {
  const tools = await manager.listTools('suite');
  for (const tool of tools) {
    const output = await manager.callTool('suite', tool.name, ARGUMENTS[tool.name] ?? {});
    console.log(`${tool.name}: ${output.text}`);
  }
} catch (error) {
  console.error(`${process.env.MCP_CONFORMANCE_SCENARIO ?? 'scenario'}: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await manager.close();
}
process.exit(exitCode);
