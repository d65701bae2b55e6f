// Host header check: a DNS-rebound name pointing at 127.0.0.1 must not reach the API from a web page.
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return (
    LOOPBACK_NAMES.has(host) || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === 'localhost'
  );
}

function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** The host part of a Host header (`name:port`, `[v6]:port`), lower-cased; null when malformed. */
export function hostName(header: string | null | undefined): string | null {
  if (!header || header.length > 300) return null;
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return null;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    return value.slice(0, end + 1);
  }
  const [name, port, ...extra] = value.split(':');
  if (extra.length > 0 || !name) return null;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return null;
  if (!/^[a-z0-9.-]+$/.test(name)) return null;
  return name;
}

export interface HostPolicy {
  /** Host names accepted besides the loopback names and the bind address. */
  allowedHosts: readonly string[];
  bindHost: string;
  /** With API keys on a wildcard bind and no allowed hosts listed, any Host is accepted (the key guards it). */
  keysRequired: boolean;
}

/** True when a request with this Host header may be served. */
export function hostAllowed(policy: HostPolicy, header: string | null | undefined): boolean {
  const name = hostName(header);
  if (name === null) return false;
  if (isLoopbackHost(name)) return true;
  const bind = policy.bindHost.toLowerCase();
  if (name === bind || (isIP(bind) === 6 && name === `[${bind}]`)) return true;
  if (policy.allowedHosts.some((allowed) => allowed.toLowerCase() === name)) return true;
  return policy.keysRequired && isWildcardHost(bind) && policy.allowedHosts.length === 0;
}
