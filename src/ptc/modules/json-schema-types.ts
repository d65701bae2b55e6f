// Renders a tool's JSON Schema as a TypeScript type and as a Python type hint (best effort, never throws).
import type { JsonSchema } from '../mcp/types.js';

const MAX_DEPTH = 8;

function asSchema(value: unknown): JsonSchema | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonSchema) : null;
}

function typesOf(schema: JsonSchema): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((entry): entry is string => typeof entry === 'string');
  if (asSchema(schema.properties)) return ['object'];
  if (schema.items !== undefined) return ['array'];
  return [];
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

function comment(text: unknown, indent: string): string {
  if (typeof text !== 'string' || text.trim() === '') return '';
  return `${indent}/** ${text.replace(/\*\//g, '* /').replace(/\s+/g, ' ').trim()} */\n`;
}

export function typescriptType(value: unknown, depth = 0, indent = ''): string {
  const schema = asSchema(value);
  if (!schema || depth > MAX_DEPTH) return 'unknown';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum))
    return schema.enum.map((entry) => JSON.stringify(entry)).join(' | ') || 'never';
  for (const combinator of ['anyOf', 'oneOf'] as const) {
    const options = schema[combinator];
    if (Array.isArray(options) && options.length > 0) {
      return options.map((option) => typescriptType(option, depth + 1, indent)).join(' | ');
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    return schema.allOf.map((option) => typescriptType(option, depth + 1, indent)).join(' & ');
  }
  const rendered = typesOf(schema).map((type) => {
    switch (type) {
      case 'string':
        return 'string';
      case 'number':
      case 'integer':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array': {
        const item = typescriptType(schema.items, depth + 1, indent);
        return item.includes(' ') ? `Array<${item}>` : `${item}[]`;
      }
      case 'object':
        return objectType(schema, depth, indent);
      default:
        return 'unknown';
    }
  });
  return rendered.length > 0 ? rendered.join(' | ') : 'unknown';
}

function objectType(schema: JsonSchema, depth: number, indent: string): string {
  const properties = asSchema(schema.properties) ?? {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const inner = `${indent}  `;
  const lines = Object.entries(properties).map(([name, property]) => {
    const optional = required.has(name) ? '' : '?';
    const description = comment(asSchema(property)?.description, inner);
    return `${description}${inner}${propertyKey(name)}${optional}: ${typescriptType(property, depth + 1, inner)};`;
  });
  const additional = schema.additionalProperties;
  if (lines.length === 0) {
    return additional === false
      ? 'Record<string, never>'
      : `Record<string, ${typescriptType(additional, depth + 1, inner)}>`;
  }
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A JSON scalar as a Python literal; undefined for what `Literal[...]` cannot hold. */
function pythonLiteral(value: unknown): string | undefined {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
  return undefined;
}

export function pythonType(value: unknown, depth = 0): string {
  const schema = asSchema(value);
  if (!schema || depth > MAX_DEPTH) return 'Any';
  if (Array.isArray(schema.enum) || schema.const !== undefined) {
    const values = Array.isArray(schema.enum) ? schema.enum : [schema.const];
    const literals = values.map(pythonLiteral);
    // `Literal[null]` or an object would fail the module's import (NameError), taking every tool with it.
    if (literals.length === 0 || literals.some((literal) => literal === undefined)) return 'Any';
    return `Literal[${literals.join(', ')}]`;
  }
  for (const combinator of ['anyOf', 'oneOf'] as const) {
    const options = schema[combinator];
    if (Array.isArray(options) && options.length > 0) {
      return `Union[${options.map((option) => pythonType(option, depth + 1)).join(', ')}]`;
    }
  }
  const rendered = typesOf(schema).map((type) => {
    switch (type) {
      case 'string':
        return 'str';
      case 'number':
        return 'float';
      case 'integer':
        return 'int';
      case 'boolean':
        return 'bool';
      case 'null':
        return 'None';
      case 'array':
        return `list[${pythonType(schema.items, depth + 1)}]`;
      case 'object':
        return 'dict[str, Any]';
      default:
        return 'Any';
    }
  });
  if (rendered.length === 0) return 'Any';
  return rendered.length === 1 ? rendered[0]! : `Union[${rendered.join(', ')}]`;
}

export interface SchemaProperty {
  name: string;
  required: boolean;
  description: string;
  schema: JsonSchema;
}

export function schemaProperties(value: unknown): SchemaProperty[] {
  const schema = asSchema(value);
  const properties = asSchema(schema?.properties) ?? {};
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, property]) => {
    const propertySchema = asSchema(property) ?? {};
    return {
      name,
      required: required.has(name),
      description: typeof propertySchema.description === 'string' ? propertySchema.description : '',
      schema: propertySchema,
    };
  });
}
