// Generates the Python module of one MCP server: one synchronous function a tool, calling the host bridge.
import { toIdentifier } from './identifiers.js';
import { pythonType, schemaProperties } from './json-schema-types.js';
import type { CatalogServer } from './tool-catalog.js';
import { CALL_TOOL_FUNCTION } from './typescript-module.js';

function pythonString(text: string): string {
  return JSON.stringify(text);
}

/**
 * Text a server sent, made inert inside a triple-quoted docstring: with every backslash and quote escaped,
 * a description can neither close the string (`"""`, a trailing `"`) nor escape its closing quotes (a
 * trailing backslash), so it cannot turn into code or break the module's syntax.
 */
function docstringBody(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function isPythonIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && toIdentifier(name) === name;
}

/** `tools/<server>.py`, imported as `from tools import <server>`. */
export function pythonModule(server: CatalogServer): string {
  const lines = [
    `"""Tools of MCP server ${pythonString(server.name)} (${server.tools.length}), generated from their JSON Schemas.`,
    '',
    'Each call goes through the host bridge (roma_host); credentials stay on the host.',
    "A tool error raises roma_host.HostFunctionError with the server's message.",
    '"""',
    'from typing import Any, Literal, Optional, Union  # noqa: F401',
    '',
    'import roma_host',
    '',
  ];
  for (const tool of server.tools) {
    const properties = schemaProperties(tool.inputSchema).filter((property) =>
      isPythonIdentifier(property.name),
    );
    const ordered = [...properties.filter((p) => p.required), ...properties.filter((p) => !p.required)];
    const parameters = ordered.map((property) =>
      property.required
        ? `${property.name}: ${pythonType(property.schema)}`
        : `${property.name}: Optional[${pythonType(property.schema)}] = None`,
    );
    const signature = [...parameters, '**extra: Any'].join(', ');
    const doc = [tool.description.trim(), ...properties.map((p) => `${p.name}: ${p.description}`.trim())]
      .filter(Boolean)
      .join('\n    ');
    lines.push(
      `def ${toIdentifier(tool.name)}(${signature}) -> Any:`,
      `    """${docstringBody(doc)}"""`,
      `    arguments = {${properties.map((p) => `${pythonString(p.name)}: ${p.name}`).join(', ')}}`,
      '    arguments = {key: value for key, value in arguments.items() if value is not None}',
      '    arguments.update(extra)',
      `    return roma_host.call(${pythonString(CALL_TOOL_FUNCTION)}, ${pythonString(server.name)}, ${pythonString(tool.name)}, arguments)`,
      '',
      '',
    );
  }
  return lines.join('\n');
}
