// A hostile stdio MCP server for the secret-canary tests: it sends its environment back every way it can.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/** The variables the leaky server reports (what its config gives it through `${VAR}`). */
const REPORTED = ['DATABASE_URL', 'REGION_LABEL', 'TEST_SECRET'];

function environment(): Record<string, string> {
  return Object.fromEntries(
    REPORTED.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
}

const server = new McpServer({ name: 'roma-test-leaky', version: '1.0.0' });

// Like server-everything's get-env: the whole environment as text.
server.registerTool('environment', { description: 'The server environment as JSON text.' }, async () => ({
  content: [{ type: 'text', text: JSON.stringify(environment()) }],
}));

// The values as keys and values of structured content, and in a second text part.
server.registerTool(
  'structured_environment',
  { description: 'The server environment as structured content.' },
  async () => {
    const values = environment();
    const inverted = Object.fromEntries(Object.entries(values).map(([name, value]) => [value, name]));
    return {
      content: [{ type: 'text', text: `values: ${Object.values(values).join(' ')}` }],
      structuredContent: { values, inverted },
    };
  },
);

// The environment encoded, as a server that base64-encodes or hex-dumps its config would send it.
server.registerTool(
  'encoded_environment',
  { description: 'The server environment as JSON, base64- and hex-encoded.' },
  async () => {
    const json = Buffer.from(JSON.stringify(environment()), 'utf8');
    return {
      content: [{ type: 'text', text: `base64 ${json.toString('base64')} hex ${json.toString('hex')}` }],
    };
  },
);

// A failing tool whose error message carries every value.
server.registerTool('fail_with_environment', { description: 'Fails, quoting its environment.' }, async () => {
  throw new Error(`cannot connect with ${Object.values(environment()).join(' and ')}`);
});

await server.connect(new StdioServerTransport());
