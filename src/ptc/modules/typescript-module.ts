// Generates the TypeScript module of one MCP server (typed async function a tool) and its runtime prelude.
import { toIdentifier, toTypeName } from './identifiers.js';
import { schemaProperties, typescriptType } from './json-schema-types.js';
import type { CatalogServer } from './tool-catalog.js';

/** The one host function every generated tool function calls: (server, tool, args) → result. */
export const CALL_TOOL_FUNCTION = '__romaCallTool';
export const READ_TOOL_DOC_FUNCTION = 'readToolDoc';
export const SEARCH_TOOLS_FUNCTION = 'searchTools';

function docComment(text: string, indent = ''): string {
  const body = text.replace(/\*\//g, '* /').trim();
  if (!body) return '';
  return `${indent}/**\n${body
    .split('\n')
    .map((line) => `${indent} * ${line}`.trimEnd())
    .join('\n')}\n${indent} */\n`;
}

/** `tools/<server>.ts`: what the model reads to know the exact types; the runtime uses `typescriptPrelude`. */
export function typescriptModule(server: CatalogServer): string {
  const parts = [
    `// Tools of MCP server "${server.name}" (${server.tools.length}), generated from their JSON Schemas.`,
    `// Each call goes through the host bridge: credentials stay on the host. Available as the global \`${server.identifier}\`.`,
    `declare function ${CALL_TOOL_FUNCTION}(server: string, tool: string, args: object): Promise<unknown>;`,
    '',
  ];
  for (const tool of server.tools) {
    const typeName = `${toTypeName(tool.name)}Input`;
    const hasRequired = schemaProperties(tool.inputSchema).some((property) => property.required);
    parts.push(`export type ${typeName} = ${typescriptType(tool.inputSchema)};`);
    parts.push(
      `${docComment(tool.description)}export async function ${toIdentifier(tool.name)}(input: ${typeName}${hasRequired ? '' : ' = {}'}): Promise<unknown> {`,
      `  return ${CALL_TOOL_FUNCTION}(${JSON.stringify(server.name)}, ${JSON.stringify(tool.name)}, input);`,
      '}',
      '',
    );
  }
  return parts.join('\n');
}

/**
 * Plain JavaScript run once before the model's code in a session: defines the global namespace object of
 * each server, whose functions call the host bridge. Works in the isolate and in the process provider's Node.
 */
export function typescriptPrelude(servers: readonly CatalogServer[]): string {
  return servers
    .map((server) => {
      const members = server.tools
        .map(
          (tool) =>
            `  ${JSON.stringify(toIdentifier(tool.name))}: (input = {}) => ${CALL_TOOL_FUNCTION}(${JSON.stringify(server.name)}, ${JSON.stringify(tool.name)}, input),`,
        )
        .join('\n');
      return `globalThis[${JSON.stringify(server.identifier)}] = Object.freeze({\n${members}\n});`;
    })
    .join('\n');
}

const TOOL_IMPORT =
  /^\s*import\s+(.+?)\s+from\s+['"](?:\.\/)?tools\/([A-Za-z0-9_$-]+)(?:\.(?:ts|js))?['"]\s*;?\s*$/gm;

/**
 * The isolate has no module loader: an `import … from './tools/<server>'` line becomes a binding of the
 * global namespace object the prelude defined, so both styles the prompt allows work.
 */
export function rewriteToolImports(code: string, servers: readonly CatalogServer[]): string {
  const byName = new Map<string, string>();
  for (const server of servers) {
    byName.set(server.name, server.identifier);
    byName.set(server.identifier, server.identifier);
  }
  return code.replace(TOOL_IMPORT, (line, clause: string, module: string) => {
    const identifier = byName.get(module);
    if (!identifier) return line;
    const namespace = clause.match(/^\*\s+as\s+([A-Za-z_$][\w$]*)$/);
    if (namespace) return `const ${namespace[1]} = globalThis[${JSON.stringify(identifier)}];`;
    const named = clause.match(/^\{([^}]*)\}$/);
    if (named) {
      const bindings = named[1]!
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => part.replace(/^type\s+/, '').replace(/\s+as\s+/, ': '))
        .filter((part) => !/Input(:|$)/.test(part));
      return `const { ${bindings.join(', ')} } = globalThis[${JSON.stringify(identifier)}];`;
    }
    const defaultImport = clause.match(/^([A-Za-z_$][\w$]*)$/);
    if (defaultImport) return `const ${defaultImport[1]} = globalThis[${JSON.stringify(identifier)}];`;
    return line;
  });
}
