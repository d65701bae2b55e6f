// Server and tool names as identifiers that are valid in TypeScript and Python (and reserved in neither).

const RESERVED = new Set([
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'new',
  'null',
  'return',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'yield',
  'let',
  'static',
  'await',
  'async',
  'and',
  'as',
  'assert',
  'def',
  'del',
  'elif',
  'except',
  'from',
  'global',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'None',
  'True',
  'False',
  'print',
  'console',
  'workspace',
  'globalThis',
  'readToolDoc',
  'readResource',
  'listResources',
  'saveBase64',
  'searchTools',
  'tools',
  // As a key of the prelude's object literal it would set the namespace's prototype, not define a tool.
  '__proto__',
]);

/** `my-server` → `my_server`; `2fa` → `_2fa`; a reserved word gets a trailing underscore. */
export function toIdentifier(name: string): string {
  let identifier = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(identifier) || identifier === '') identifier = `_${identifier}`;
  if (RESERVED.has(identifier)) identifier = `${identifier}_`;
  return identifier;
}

/** `list_orders` → `ListOrders` (for type names). */
export function toTypeName(name: string): string {
  return toIdentifier(name)
    .split('_')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
