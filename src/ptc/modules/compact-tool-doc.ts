// The short doc `readToolDoc` returns by default: call line, parameters with their limits, the result's type,
// in the plan's language only. Every doc read stays in the model's context for the rest of the task, so the
// full doc (JSON Schemas, both languages) is read only on demand: `readToolDoc(server, tool, 'full')`.
import type { CodeLanguage } from '../../contracts/index.js';
import type { JsonSchema, McpToolInfo } from '../mcp/types.js';
import { toIdentifier } from './identifiers.js';
import { pythonType, type SchemaProperty, schemaProperties, typescriptType } from './json-schema-types.js';
import type { CatalogServer } from './tool-catalog.js';
import { READ_TOOL_DOC_FUNCTION } from './typescript-module.js';

/** The third argument of `readToolDoc` that asks for the full doc. */
export const FULL_DOC_DETAIL = 'full';

const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Keywords a parameter line shows after its type: the limits a call must respect. */
const LIMIT_KEYWORDS = [
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
] as const;

function limitsOf(schema: JsonSchema): string {
  const limits: string[] = schema.type === 'integer' ? ['integer'] : [];
  for (const keyword of LIMIT_KEYWORDS) {
    const value = schema[keyword];
    if (value !== undefined && (typeof value !== 'object' || value === null))
      limits.push(`${keyword} ${JSON.stringify(value)}`);
  }
  return limits.length > 0 ? ` (${limits.join(', ')})` : '';
}

/** Types on one line: a nested object's members stay, its indentation and member comments go. */
function oneLine(type: string): string {
  return type
    .replace(/\/\*\*[\s\S]*?\*\/\s*/g, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/;\s*}/g, ' }');
}

/** Keyword arguments as the Python module takes them: a name that is no identifier goes through `**{…}`. */
function pythonCall(callee: string, properties: readonly SchemaProperty[]): string {
  const plain = properties.filter((property) => PYTHON_IDENTIFIER.test(property.name));
  const other = properties.filter((property) => !PYTHON_IDENTIFIER.test(property.name));
  const argumentsText = [
    ...plain.map((property) => `${property.name}${property.required ? '' : '=None'}`),
    ...(other.length > 0
      ? [`**{${other.map((property) => `${JSON.stringify(property.name)}: …`).join(', ')}}`]
      : []),
  ];
  return `${callee}(${argumentsText.join(', ')})`;
}

export function compactToolDoc(server: CatalogServer, tool: McpToolInfo, language: CodeLanguage): string {
  const name = toIdentifier(tool.name);
  const python = language === 'python';
  const properties = schemaProperties(tool.inputSchema);
  const call = python
    ? pythonCall(`${server.identifier}.${name}`, properties)
    : `await ${server.identifier}.${name}({ ${properties.map((property) => `${property.name}${property.required ? '' : '?'}`).join(', ')} })`;
  const parameterLines = properties.map((property) => {
    const type = python ? pythonType(property.schema) : oneLine(typescriptType(property.schema));
    const description = property.description ? ` — ${property.description.replace(/\s+/g, ' ').trim()}` : '';
    return `- \`${property.name}\`${property.required ? '' : ' (optional)'}: \`${type}\`${limitsOf(property.schema)}${description}`;
  });
  const full = `${python ? '' : 'await '}${READ_TOOL_DOC_FUNCTION}('${server.name}', '${tool.name}', '${FULL_DOC_DETAIL}')`;
  return [
    `# ${server.name}.${tool.name}`,
    ...(name === tool.name
      ? []
      : [`In code: \`${server.identifier}.${name}\` (the server calls it \`${tool.name}\`).`]),
    tool.description.trim() || '(no description)',
    `Call: \`${call.replace('({  })', '({})')}\``,
    ...parameterLines,
    ...(tool.outputSchema ? [`Returns (JSON): \`${oneLine(typescriptType(tool.outputSchema))}\``] : []),
    `JSON Schemas (full doc): \`${full}\``,
    '',
  ].join('\n');
}
