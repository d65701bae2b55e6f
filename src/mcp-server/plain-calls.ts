// The SDK answers a plain (not task) call of a task-capable tool by making a task and polling it; roma's tools
// keep their direct path instead: progress as tasks finish, cancel through the request, the answer the moment the
// run ends, and no task left behind. The SDK's hook for it is private (its task API is experimental): when it is
// missing, the SDK's own polling answers plain calls — slower, still correct.
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolRequest,
  CallToolResult,
  ServerNotification,
  ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export type PlainCallHandler = (args: unknown, extra: Extra) => Promise<CallToolResult>;

interface McpServerInternals {
  handleAutomaticTaskPolling?: (
    tool: RegisteredTool,
    request: CallToolRequest,
    extra: Extra,
  ) => Promise<CallToolResult>;
  validateToolInput?: (tool: RegisteredTool, args: unknown, toolName: string) => Promise<unknown>;
  validateToolOutput?: (tool: RegisteredTool, result: CallToolResult, toolName: string) => Promise<void>;
}

/** True when plain calls of the named tools now go to `handlers` (validated in and out as any tool call). */
export function answerPlainCallsDirectly(
  server: McpServer,
  handlers: ReadonlyMap<string, PlainCallHandler>,
): boolean {
  const internals = server as unknown as McpServerInternals;
  const polling = internals.handleAutomaticTaskPolling;
  const validateInput = internals.validateToolInput;
  const validateOutput = internals.validateToolOutput;
  if (
    typeof polling !== 'function' ||
    typeof validateInput !== 'function' ||
    typeof validateOutput !== 'function'
  ) {
    return false;
  }
  internals.handleAutomaticTaskPolling = async (tool, request, extra) => {
    const name = request.params.name;
    const handler = handlers.get(name);
    if (!handler) return polling.call(server, tool, request, extra);
    const args = await validateInput.call(server, tool, request.params.arguments, name);
    const result = await handler(args, extra);
    await validateOutput.call(server, tool, result, name);
    return result;
  };
  return true;
}
