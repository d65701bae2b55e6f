// The dashboard's calls to the API: the key from sessionStorage as a Bearer header (or WebSocket subprotocol).

const KEY_ITEM = 'roma.apiKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_ITEM, key);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const key = storedKey();
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (key) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as {
      error?: { code: string; message: string; field?: string };
    } | null;
    const error = body?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP',
      error ? `${error.field ? `${error.field}: ` : ''}${error.message}` : response.statusText,
    );
  }
  return (await response.json()) as T;
}

/** Downloads with the key (a plain link could not carry it) through a blob URL. */
export async function download(path: string, name: string): Promise<void> {
  const key = storedKey();
  const response = await fetch(path, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  if (!response.ok) throw new ApiError(response.status, 'HTTP', `download failed: ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function streamSocket(executionId: string, afterSeq: number): WebSocket {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const key = storedKey();
  const protocols = key ? ['roma.v1', `roma.bearer.${key}`] : ['roma.v1'];
  return new WebSocket(
    `${scheme}://${location.host}/api/v1/executions/${encodeURIComponent(executionId)}/stream?after=${afterSeq}`,
    protocols,
  );
}
