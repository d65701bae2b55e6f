// The full Markdown doc of a tool (both languages, JSON Schemas), and the one-line-a-server summary for the prompt.
import type { CodeLanguage } from '../../contracts/index.js';
import type { McpToolInfo } from '../mcp/types.js';
import { toIdentifier } from './identifiers.js';
import { pythonType, schemaProperties, typescriptType } from './json-schema-types.js';
import type { CatalogServer } from './tool-catalog.js';

export function toolDocPath(server: CatalogServer, tool: McpToolInfo): string {
  return `tools/${server.identifier}/${toIdentifier(tool.name)}.md`;
}

export function toolDoc(server: CatalogServer, tool: McpToolInfo): string {
  const name = toIdentifier(tool.name);
  const properties = schemaProperties(tool.inputSchema);
  const parameterLines = properties.map(
    (property) =>
      `- \`${property.name}\`${property.required ? '' : ' (optional)'}: \`${typescriptType(property.schema)}\` / Python \`${pythonType(property.schema)}\`${property.description ? ` — ${property.description}` : ''}`,
  );
  return [
    `# ${server.name}.${tool.name}`,
    '',
    ...(name === tool.name
      ? []
      : [`In code: \`${server.identifier}.${name}\` (the server calls it \`${tool.name}\`).`, '']),
    tool.description || '(no description)',
    '',
    '## Call',
    '',
    `- TypeScript/JavaScript: \`const result = await ${server.identifier}.${name}({ … })\``,
    `- Python: \`from tools import ${server.identifier}\` then \`result = ${server.identifier}.${name}(…)\``,
    "- The result is the tool's JSON (parsed) or its text. A tool error is thrown with the server's message.",
    "- A result with images, audio or resources is `{ text, content: [parts] }`: a binary part has `data` (or a resource `blob`) in base64 with `mimeType`; save one with `saveBase64('results/<name>', part.data)`.",
    '',
    '## Parameters',
    '',
    ...(parameterLines.length > 0 ? parameterLines : ['(none)']),
    '',
    '## Input JSON Schema',
    '',
    '```json',
    JSON.stringify(tool.inputSchema, null, 2),
    '```',
    ...(tool.outputSchema
      ? ['', '## Output JSON Schema', '', '```json', JSON.stringify(tool.outputSchema, null, 2), '```']
      : []),
    '',
  ].join('\n');
}

/** One line per server: name, tool count, tool names (unless the catalog is searched), and how to reach it. */
export function serverSummary(server: CatalogServer, language: CodeLanguage, listNames = true): string {
  const names = listNames ? ` [${server.tools.map((tool) => toIdentifier(tool.name)).join(', ')}]` : '';
  const use =
    language === 'python' ? `\`from tools import ${server.identifier}\`` : `global \`${server.identifier}\``;
  return `- ${server.name}: ${server.tools.length} tools${names} — ${use}`;
}
