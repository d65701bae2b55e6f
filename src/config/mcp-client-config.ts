// MCP server entries in the shape users already have (Claude Desktop, Cursor, Claude Code `.mcp.json`,
// VS Code `mcp.json`): `command` implies stdio, `url` implies streamable HTTP, `type` names the transport.
import { isPlainObject, type PlainObject } from './paths.js';
import { McpServerConfigSchema } from './sections/ptc.js';

const TRANSPORT_BY_TYPE: Readonly<Record<string, 'stdio' | 'http' | 'sse'>> = {
  stdio: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamableHttp: 'http',
  sse: 'sse',
};

/**
 * One entry with its `transport` filled in from `type`, `command` or `url` when it has none; anything else is
 * returned as it is, for the schema to judge.
 */
function normalizeMcpServerEntry(entry: unknown): unknown {
  if (!isPlainObject(entry) || 'transport' in entry) return entry;
  const { type, ...rest } = entry;
  if (typeof type === 'string' && TRANSPORT_BY_TYPE[type])
    return { transport: TRANSPORT_BY_TYPE[type], ...rest };
  if (type !== undefined) return entry;
  if (typeof rest.command === 'string') return { transport: 'stdio', ...rest };
  if (typeof rest.url === 'string') return { transport: 'http', ...rest };
  return entry;
}

/** A copy of merged config values with every `ptc.mcpServers` entry normalized. */
export function normalizeMcpServerEntries(values: PlainObject): PlainObject {
  const ptc = values.ptc;
  if (!isPlainObject(ptc) || !isPlainObject(ptc.mcpServers)) return values;
  const servers = Object.fromEntries(
    Object.entries(ptc.mcpServers).map(([name, entry]) => [name, normalizeMcpServerEntry(entry)]),
  );
  return { ...values, ptc: { ...ptc, mcpServers: servers } };
}

/** Keys MCP clients add for their own UI, which mean nothing to roma; dropped on import with a note. */
const CLIENT_ONLY_KEYS = ['disabled', 'autoApprove', 'alwaysAllow', 'description', 'envFile', 'timeout'];

export interface ImportedMcpServers {
  /** As the user wrote them, with `transport` made explicit (defaults stay implicit). */
  servers: Record<string, PlainObject>;
  /** One line per server that could not be imported, or per key that was dropped. */
  notes: string[];
}

/**
 * The servers of an MCP client's config file (`mcpServers` or VS Code's `servers`). Each entry is checked on
 * its own: a bad one is reported and skipped, the others are kept.
 */
export function importMcpClientConfig(document: unknown, shownAs: string): ImportedMcpServers {
  const root = isPlainObject(document) ? document : {};
  const table = isPlainObject(root.mcpServers)
    ? root.mcpServers
    : isPlainObject(root.servers)
      ? root.servers
      : null;
  if (!table) {
    return {
      servers: {},
      notes: [
        `${shownAs} has no "mcpServers" (Claude Desktop, Cursor, .mcp.json) or "servers" (VS Code) object`,
      ],
    };
  }
  const servers: Record<string, PlainObject> = {};
  const notes: string[] = [];
  for (const [name, raw] of Object.entries(table)) {
    let entry = normalizeMcpServerEntry(raw);
    if (isPlainObject(entry)) {
      const dropped = CLIENT_ONLY_KEYS.filter((key) => key in (entry as PlainObject));
      if (dropped.length > 0) {
        notes.push(`${name}: dropped ${dropped.join(', ')} (client settings roma does not use)`);
        entry = Object.fromEntries(Object.entries(entry).filter(([key]) => !dropped.includes(key)));
      }
    }
    const parsed = McpServerConfigSchema.safeParse(entry);
    if (parsed.success) {
      servers[name] = entry as PlainObject;
    } else {
      const issue = parsed.error.issues[0]!;
      const field = [name, ...issue.path.map(String)].join('.');
      notes.push(`${field}: not imported — ${issue.message}`);
    }
  }
  return { servers, notes };
}
