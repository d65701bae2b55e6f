// Reads the shape of the config schema (leaves, their kinds, allowed values) so env vars, flags and errors follow it.
import { z } from 'zod';
import { RomaConfigSchema } from './schema.js';

/** What a zod schema is, seen through its public definition (`schema.def`, zod 4's documented API). */
interface SchemaDefinition {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string | number>;
  format?: string;
  options?: z.ZodType[];
}

function definitionOf(schema: z.ZodType): SchemaDefinition {
  return schema.def as unknown as SchemaDefinition;
}

/** Strips default/optional/nullable/readonly wrappers to reach the schema that checks the value. */
function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 16; depth += 1) {
    const definition = definitionOf(current);
    if (
      definition.innerType &&
      ['default', 'optional', 'nullable', 'readonly', 'prefault', 'catch', 'nonoptional'].includes(
        definition.type,
      )
    ) {
      current = definition.innerType;
    } else {
      return current;
    }
  }
  return current;
}

/** The schema at `path` of the config (records accept any key), or undefined when no such key exists. */
export function schemaAtPath(
  path: readonly string[],
  root: z.ZodType = RomaConfigSchema,
): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrapSchema(root);
  for (const segment of path) {
    if (!current) return undefined;
    const definition = definitionOf(current);
    if (definition.type === 'object' && definition.shape) {
      const next: z.ZodType | undefined = definition.shape[segment];
      current = next ? unwrapSchema(next) : undefined;
    } else if (definition.type === 'record' && definition.valueType) {
      current = unwrapSchema(definition.valueType);
    } else {
      return undefined;
    }
  }
  return current;
}

/** Keys an object at `path` accepts (for "did you mean"); empty for records and leaves. */
export function knownKeysAt(path: readonly string[]): string[] {
  const schema = schemaAtPath(path);
  if (!schema) return [];
  const definition = definitionOf(schema);
  if (definition.type === 'object' && definition.shape) return Object.keys(definition.shape);
  if (definition.type === 'record' && definition.keyType) return enumValues(definition.keyType) ?? [];
  if (definition.type === 'union' && definition.options) {
    const keys = new Set<string>();
    for (const option of definition.options) {
      const optionDefinition = definitionOf(unwrapSchema(option));
      for (const key of Object.keys(optionDefinition.shape ?? {})) keys.add(key);
    }
    return [...keys];
  }
  return [];
}

function enumValues(schema: z.ZodType): string[] | undefined {
  const definition = definitionOf(unwrapSchema(schema));
  if (definition.type !== 'enum' || !definition.entries) return undefined;
  return Object.values(definition.entries).map(String);
}

type LeafKind = 'number' | 'integer' | 'boolean' | 'string' | 'enum' | 'url' | 'other';

interface LeafInfo {
  kind: LeafKind;
  minimum?: number;
  /** The minimum itself is not allowed (a non-integer `> minimum`). */
  exclusiveMinimum?: boolean;
  maximum?: number;
  values?: string[];
}

/** The exclusive (`gt`) lower bound of a number schema, when it has one, read from its JSON Schema. */
function exclusiveBounds(schema: z.ZodType): { minimum?: number } {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    exclusiveMinimum?: unknown;
  };
  return typeof json.exclusiveMinimum === 'number' ? { minimum: json.exclusiveMinimum } : {};
}

/** The kind of value a leaf takes, with its bounds or allowed values. */
export function describeLeaf(schema: z.ZodType): LeafInfo {
  const unwrapped = unwrapSchema(schema);
  const definition = definitionOf(unwrapped);
  switch (definition.type) {
    case 'number': {
      const number = unwrapped as unknown as {
        minValue: number | null;
        maxValue: number | null;
        isInt: boolean;
      };
      const info: LeafInfo = { kind: number.isInt ? 'integer' : 'number' };
      const exclusive = exclusiveBounds(unwrapped);
      if (number.minValue !== null && Number.isFinite(number.minValue)) {
        // `.positive()` is "> 0": for an integer the smallest allowed is 1, not 0.
        info.minimum =
          exclusive.minimum === number.minValue && number.isInt ? number.minValue + 1 : number.minValue;
        if (exclusive.minimum === number.minValue && !number.isInt) info.exclusiveMinimum = true;
      }
      // `.int()` caps at MAX_SAFE_INTEGER: that is no bound a user needs to read.
      if (number.maxValue !== null && number.maxValue < Number.MAX_SAFE_INTEGER)
        info.maximum = number.maxValue;
      return info;
    }
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'enum', values: enumValues(unwrapped) ?? [] };
    case 'string':
      return definition.format === 'url' ? { kind: 'url' } : { kind: 'string' };
    default:
      return { kind: 'other' };
  }
}

/** Plain words for what a leaf allows, used as the `fix` of a config error. */
export function allowedValuesText(info: LeafInfo): string {
  const range = (noun: string): string => {
    if (info.minimum !== undefined && info.maximum !== undefined)
      return `${noun} from ${info.minimum} to ${info.maximum}`;
    if (info.minimum !== undefined) return `${noun} ${info.exclusiveMinimum ? '>' : '≥'} ${info.minimum}`;
    if (info.maximum !== undefined) return `${noun} ≤ ${info.maximum}`;
    return noun;
  };
  switch (info.kind) {
    case 'integer':
      return `use ${range('an integer')}`;
    case 'number':
      return `use ${range('a number')}`;
    case 'boolean':
      return 'use true or false';
    case 'enum':
      return `use one of: ${(info.values ?? []).join(', ')}`;
    case 'url':
      return 'use a full URL such as http://127.0.0.1:8080';
    case 'string':
      return 'use a non-empty string';
    default:
      return 'see roma.config.example.yaml for the allowed form';
  }
}

/** Every scalar leaf reachable through objects and enum-keyed records: the keys env vars can set. */
export function scalarLeafPaths(root: z.ZodType = RomaConfigSchema): string[][] {
  const out: string[][] = [];
  const visit = (schema: z.ZodType, path: string[]): void => {
    const unwrapped = unwrapSchema(schema);
    const definition = definitionOf(unwrapped);
    if (definition.type === 'object' && definition.shape) {
      for (const [key, child] of Object.entries(definition.shape)) visit(child, [...path, key]);
      return;
    }
    if (definition.type === 'record' && definition.keyType && definition.valueType) {
      const keys = enumValues(definition.keyType);
      if (keys) for (const key of keys) visit(definition.valueType, [...path, key]);
      return;
    }
    if (describeLeaf(unwrapped).kind !== 'other') out.push(path);
  };
  visit(root, []);
  return out;
}

/** Turns a string (from env, a flag or a `${VAR}` expansion) into the type the leaf expects, when it clearly is one. */
export function coerceToLeaf(path: readonly string[], text: string): unknown {
  const schema = schemaAtPath(path);
  if (!schema) return text;
  const { kind } = describeLeaf(schema);
  const trimmed = text.trim();
  if (kind === 'number' || kind === 'integer') {
    const number = Number(trimmed);
    return trimmed !== '' && Number.isFinite(number) ? number : text;
  }
  if (kind === 'boolean') {
    const lower = trimmed.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    return text;
  }
  return text;
}
