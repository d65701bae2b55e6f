// Resolves `${VAR}` references in MCP server env/headers from the host environment, and remembers the secrets.
import { expandReferences } from '../../config/expand.js';
import { RomaError } from '../../contracts/index.js';

interface ResolvedTemplates {
  values: Record<string, string>;
  /** Every value substituted from the host env: these are secrets and must never leave the host. */
  secrets: string[];
}

/**
 * Substitutes each `${VAR}` in `templates` with `hostEnv[VAR]`; an unset variable is a CONFIG_INVALID error
 * naming `${field}.${key}` (so `roma tools list` can say which server is misconfigured).
 */
export function resolveTemplates(
  templates: Record<string, string>,
  hostEnv: Record<string, string | undefined>,
  field: string,
): ResolvedTemplates {
  const values: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [key, template] of Object.entries(templates)) {
    values[key] = expandReferences(template, hostEnv, {
      onMissing: (name) => {
        throw new RomaError('CONFIG_INVALID', `environment variable ${name} is not set`, {
          field: `${field}.${key}`,
          fix: `export ${name}=… before starting roma, write \${${name}:-<default>}, or remove it from the server's config`,
        });
      },
      onValue: (value) => secrets.push(value),
    });
  }
  return { values, secrets };
}

const SECRET_NAME = /key|token|secret|passw|auth|credential|cookie|session|bearer/i;

/**
 * Values to redact from one server's env or headers. The config loader may already have expanded `${VAR}`
 * (so the substitution is not seen here): every header value counts (headers carry auth), and every env value
 * whose name looks like a credential; a `Bearer <token>` value also registers the bare token.
 */
export function secretValues(values: Record<string, string>, allValues: boolean): string[] {
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (!allValues && !SECRET_NAME.test(key)) continue;
    secrets.push(value);
    const token = value.match(/^\S+\s+(\S{4,})$/)?.[1];
    if (token) secrets.push(token);
  }
  return secrets;
}

/**
 * Credentials written into a server's URL (`https://user:pass@host/mcp?api_key=…`): the password and every
 * query value whose name looks like a credential. Fetch and the MCP SDK quote the URL in their errors.
 */
export function urlSecretValues(url: URL): string[] {
  const secrets: string[] = [];
  for (const part of [url.password, decodeURIComponentSafe(url.password)]) {
    if (part) secrets.push(part);
  }
  for (const [key, value] of url.searchParams) {
    if (!SECRET_NAME.test(key) || !value) continue;
    secrets.push(value, encodeURIComponent(value));
  }
  return [...new Set(secrets)];
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
