// A stdio MCP server with many tools (WIDE_TOOL_COUNT, default 200), each echoing its name and arguments.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { wideCatalog } from './wide-catalog.js';

const tools = wideCatalog(Number(process.env.WIDE_TOOL_COUNT ?? 200));
const server = new Server({ name: 'roma-test-wide', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (request) => ({
  content: [
    {
      type: 'text',
      text: JSON.stringify({ tool: request.params.name, arguments: request.params.arguments ?? {} }),
    },
  ],
}));
await server.connect(new StdioServerTransport());
