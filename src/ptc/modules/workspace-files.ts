// The files placed in a sandbox workspace for one plan: generated tool modules and one doc a tool.
import { pythonModule } from './python-module.js';
import type { ToolCatalog } from './tool-catalog.js';
import { toolDoc, toolDocPath } from './tool-docs.js';
import { typescriptModule } from './typescript-module.js';

/** Path → text. Nothing here carries a credential: modules only name the host function they call. */
export function toolWorkspaceFiles(catalog: ToolCatalog): Record<string, string> {
  const files: Record<string, string> = {};
  if (catalog.servers.length === 0) return files;
  files['tools/__init__.py'] = '"""Generated MCP tool modules (one a server)."""\n';
  for (const server of catalog.servers) {
    files[`tools/${server.identifier}.ts`] = typescriptModule(server);
    files[`tools/${server.identifier}.py`] = pythonModule(server);
    for (const tool of server.tools) files[toolDocPath(server, tool)] = toolDoc(server, tool);
  }
  return files;
}
