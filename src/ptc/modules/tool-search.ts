// Tool search for large catalogs: the prompt lists servers only, and the program ranks tools by a query.
import type { McpToolInfo } from '../mcp/types.js';
import { toIdentifier } from './identifiers.js';
import type { ToolCatalog } from './tool-catalog.js';

/** Past this many tools in a plan's catalog, the prompt lists servers with counts and offers searchTools. */
export const TOOL_SEARCH_THRESHOLD = 40;
export const DEFAULT_SEARCH_RESULTS = 8;
const MAX_SEARCH_RESULTS = 50;
const MAX_QUERY_CHARS = 500;
const DESCRIPTION_CHARS = 200;

interface ToolSearchHit {
  server: string;
  /** The identifier to call in code: `<server identifier>.<tool identifier>`. */
  call: string;
  name: string;
  description: string;
  score: number;
}

export function catalogToolCount(catalog: ToolCatalog): number {
  return catalog.servers.reduce((sum, server) => sum + server.tools.length, 0);
}

export function usesToolSearch(catalog: ToolCatalog, threshold = TOOL_SEARCH_THRESHOLD): boolean {
  return catalogToolCount(catalog) > threshold;
}

/** `list_orders`, `getOrder`, `get-order` → words; camelCase split, lower-cased. */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1);
}

/** A word matches a query word when either is a prefix of the other (`order` ~ `orders`). */
function matches(word: string, query: string): boolean {
  return word === query || (query.length >= 3 && (word.startsWith(query) || query.startsWith(word)));
}

function scoreTool(tool: McpToolInfo, serverName: string, queryWords: readonly string[]): number {
  const nameWords = words(`${tool.name}`);
  const serverWords = words(serverName);
  const descriptionWords = words(tool.description);
  let score = 0;
  for (const query of queryWords) {
    if (nameWords.some((word) => matches(word, query))) score += 3;
    if (serverWords.some((word) => matches(word, query))) score += 1;
    const inDescription = descriptionWords.filter((word) => matches(word, query)).length;
    // Repeats count less than a first mention: a long description must not win by sheer length.
    if (inDescription > 0) score += 1 + Math.log2(inDescription) * 0.25;
  }
  return Math.round(score * 100) / 100;
}

/** Tools ranked by the query's words in their names (×3), servers (×1) and descriptions (×1); ties by name. */
export function searchTools(
  catalog: ToolCatalog,
  query: string,
  limit = DEFAULT_SEARCH_RESULTS,
): ToolSearchHit[] {
  const queryWords = [...new Set(words(query.slice(0, MAX_QUERY_CHARS)))];
  const bound = Math.max(1, Math.min(MAX_SEARCH_RESULTS, Math.floor(limit) || DEFAULT_SEARCH_RESULTS));
  const hits: ToolSearchHit[] = [];
  for (const server of catalog.servers) {
    for (const tool of server.tools) {
      const score = queryWords.length === 0 ? 0 : scoreTool(tool, server.name, queryWords);
      if (score <= 0) continue;
      hits.push({
        server: server.name,
        call: `${server.identifier}.${toIdentifier(tool.name)}`,
        name: tool.name,
        description: tool.description.split('\n')[0]!.slice(0, DESCRIPTION_CHARS),
        score,
      });
    }
  }
  return hits
    .sort((left, right) => right.score - left.score || left.call.localeCompare(right.call))
    .slice(0, bound);
}
