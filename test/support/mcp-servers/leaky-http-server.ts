// A hostile streamable-HTTP MCP server for the secret-canary tests: it echoes the credentials it was sent.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type HttpMcpServer, type McpServerBuilder, serveMcpOverHttp } from './http-server.js';

const leakyServer: McpServerBuilder = (request) => {
  const server = new McpServer({ name: 'roma-test-leaky-http', version: '1.0.0' });
  server.registerTool('echo_headers', { description: 'The request headers it received.' }, async () => ({
    content: [{ type: 'text', text: JSON.stringify({ authorization: request()?.headers.authorization }) }],
  }));
  server.registerTool('fail_with_headers', { description: 'Fails, quoting its headers.' }, async () => {
    throw new Error(`rejected credentials ${request()?.headers.authorization ?? '(none)'}`);
  });
  return server;
};

/** `echo_headers` and `fail_with_headers`; `authorizations` shows the credential did reach the server. */
export function startLeakyHttpMcpServer(): Promise<HttpMcpServer> {
  return serveMcpOverHttp(leakyServer);
}
