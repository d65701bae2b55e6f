// Host functions for MCP resources and binary results: listResources, readResource, saveBase64.
import { posix } from 'node:path';
import { redactJsonValue } from '../../config/secrets.js';
import type { HostFunctions, JsonValue } from '../../sandbox/sandbox.js';
import type { ToolProvider } from '../mcp/types.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';

const LIST_RESOURCES_FUNCTION = 'listResources';
const READ_RESOURCE_FUNCTION = 'readResource';
const SAVE_BASE64_FUNCTION = 'saveBase64';

/** Bounds on what one execution may save through `saveBase64` (same order as the artifact bounds). */
const MAX_SAVED_FILES = 100;
const MAX_SAVED_BYTES = 100 * 1024 * 1024;
const MAX_URI_CHARS = 4_096;

/** Where `saveBase64` puts bytes: the session's files where they are binary-safe, else a host-side map. */
export interface BinaryFileSink {
  write(path: string, bytes: Uint8Array): Promise<void>;
}

interface ResourceFunctionOptions {
  provider: ToolProvider | undefined;
  catalog: ToolCatalog;
  signal?: AbortSignal;
  sink?: BinaryFileSink;
}

function catalogServer(catalog: ToolCatalog, server: JsonValue | undefined): string {
  const entry = catalog.servers.find((item) => item.name === server || item.identifier === server);
  if (!entry) {
    const known = catalog.servers.map((item) => item.name).join(', ') || 'none';
    throw new Error(`no MCP server ${String(server).slice(0, 200)} in this plan (known: ${known})`);
  }
  return entry.name;
}

/** `results/a/b.png` normalized; anything outside results/ is refused (only results/ becomes artifacts). */
function resultsPath(path: JsonValue | undefined): string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 1_000 || path.includes('\0')) {
    throw new Error('saveBase64(path, base64): path must be a non-empty string such as results/image.png');
  }
  const normal = posix.normalize(path.replace(/\\/g, '/').replace(/^\/workspace\//, '')).replace(/^\.\//, '');
  if (!normal.startsWith('results/') || normal.split('/').includes('..') || normal.endsWith('/')) {
    throw new Error(`saveBase64: path "${path.slice(0, 200)}" must be a file under results/`);
  }
  return normal;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function createResourceHostFunctions(options: ResourceFunctionOptions): HostFunctions {
  let savedFiles = 0;
  let savedBytes = 0;
  const callOptions = () => (options.signal ? { signal: options.signal } : {});
  const redactText = (text: string) => options.provider?.redact(text) ?? text;
  const redact = (error: unknown) =>
    new Error(options.provider?.redact((error as Error).message) ?? (error as Error).message);
  return {
    [LIST_RESOURCES_FUNCTION]: async (server) => {
      const name = catalogServer(options.catalog, server);
      if (!options.provider?.listResources) return [];
      try {
        const listed = await options.provider.listResources(name, callOptions());
        return redactJsonValue(listed, redactText) as unknown as JsonValue;
      } catch (error) {
        throw redact(error);
      }
    },
    [READ_RESOURCE_FUNCTION]: async (server, uri) => {
      const name = catalogServer(options.catalog, server);
      if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_URI_CHARS) {
        throw new Error('readResource(server, uri): uri must be a non-empty string');
      }
      if (!options.provider?.readResource) throw new Error(`server ${name} has no resources`);
      try {
        const read = await options.provider.readResource(name, uri, callOptions());
        // Like tool results: a server's secrets never reach the guest.
        return redactJsonValue(read, redactText) as unknown as JsonValue;
      } catch (error) {
        throw redact(error);
      }
    },
    [SAVE_BASE64_FUNCTION]: async (path, base64) => {
      const target = resultsPath(path);
      if (typeof base64 !== 'string' || !BASE64.test(base64.replace(/\s+/g, ''))) {
        throw new Error(
          "saveBase64(path, base64): the content must be a base64 string (e.g. an image part's data)",
        );
      }
      const bytes = Buffer.from(base64, 'base64');
      if (savedFiles + 1 > MAX_SAVED_FILES || savedBytes + bytes.byteLength > MAX_SAVED_BYTES) {
        throw new Error(
          `saveBase64: at most ${MAX_SAVED_FILES} files and ${MAX_SAVED_BYTES} bytes per execution`,
        );
      }
      if (!options.sink) throw new Error('saveBase64: this execution cannot save files');
      await options.sink.write(target, new Uint8Array(bytes));
      savedFiles += 1;
      savedBytes += bytes.byteLength;
      return { path: target, bytes: bytes.byteLength };
    },
  };
}
