// GET /docs: the API reference as one self-contained HTML page, rendered from the OpenAPI document.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

type Operation = {
  summary?: string;
  parameters?: Array<{ name: string; in: string; description?: string }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string }>;
  security?: unknown[];
};

export function renderDocsPage(document: Record<string, unknown>): string {
  const info = document.info as { title: string; version: string; description: string };
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const sections: string[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = (operation.parameters ?? [])
        .map(
          (parameter) =>
            `<li><code>${escapeHtml(parameter.name)}</code> (${parameter.in}) ${escapeHtml(parameter.description ?? '')}</li>`,
        )
        .join('');
      const body = operation.requestBody
        ? `<details><summary>request body</summary><pre>${escapeHtml(JSON.stringify(operation.requestBody.content['application/json']?.schema, null, 2))}</pre></details>`
        : '';
      const responses = Object.entries(operation.responses)
        .map(([status, response]) => `<li><b>${status}</b> ${escapeHtml(response.description)}</li>`)
        .join('');
      const auth = operation.security ? 'public' : 'API key';
      sections.push(
        `<section><h2><span class="method">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> <small>${auth}</small></h2><p>${escapeHtml(operation.summary ?? '')}</p>${parameters ? `<ul>${parameters}</ul>` : ''}${body}<ul>${responses}</ul></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)} reference</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:1rem}.method{background:#234;color:#fff;padding:0 .4rem;border-radius:3px}
small{color:#777;font-weight:normal}pre{background:#f6f6f6;padding:.5rem;overflow:auto;max-height:20rem}</style></head>
<body><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1><p>${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Send <code>Authorization: Bearer &lt;key&gt;</code> when the server has API keys.
Streams: <code>GET /api/v1/executions/{id}/stream?after=SEQ</code> as a WebSocket (one JSON event per frame; browsers pass the key as subprotocol <code>roma.bearer.&lt;key&gt;</code>) or as SSE (<code>Last-Event-ID</code> resumes).</p>
${sections.join('\n')}</body></html>`;
}
