// The OpenAPI 3.1 document of the API, generated from the route table and the zod contracts.
import { z } from 'zod';
import { API_ROUTES, ERROR_RESPONSE_SCHEMA } from './route-table.js';

const ERROR_STATUSES: Record<number, string> = {
  400: 'invalid input: `error.field` names the offending field',
  401: 'missing or invalid API key',
  403: 'Host header not served here',
  404: 'no such run or route',
  409: 'illegal state change (e.g. resuming a completed run)',
  413: 'body too large',
  429: 'rate limited (see Retry-After)',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = { $ref: '#/components/schemas/ApiErrorBody' };
  for (const route of API_ROUTES) {
    const parameters: unknown[] = [];
    for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
      parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
    }
    for (const [name, query] of Object.entries(route.query ?? {})) {
      parameters.push({
        name,
        in: 'query',
        required: false,
        description: query.description,
        schema: query.schema,
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const contentType = response.contentType ?? 'application/json';
      responses[status] = {
        description: response.description,
        content: { [contentType]: { schema: response.schema ? jsonSchema(response.schema, 'output') : {} } },
      };
    }
    const errors = route.auth ? [400, 401, 403, 404, 409, 413, 429] : [400, 403, 404, 429];
    for (const status of errors) {
      if (route.method === 'get' && (status === 409 || status === 413)) continue;
      responses[String(status)] ??= {
        description: ERROR_STATUSES[status],
        content: { 'application/json': { schema: errorSchema } },
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_all, next: string | undefined) => (next ?? '').toUpperCase())}`,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: false,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
      ...(route.auth ? {} : { security: [] }),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'roma-ptc API',
      version,
      description:
        'Runs of the ROMA recursive agent: start, watch live (WebSocket or SSE, resumable after any seq), cancel, resume, and read their logs.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'a key from ROMA_API_KEYS (none needed on a loopback server without keys)',
        },
      },
      schemas: { ApiErrorBody: jsonSchema(ERROR_RESPONSE_SCHEMA, 'output') },
    },
  };
}
