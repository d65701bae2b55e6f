// Resources: `roma://runs/{executionId}` (a run's report as JSON) and `roma://runs/{executionId}/artifacts/{name}`
// (an artifact's bytes with their MIME type), listed for the caller's recent runs.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { RomaError } from '../contracts/index.js';
import type { Runtime } from '../runtime/index.js';
import { runReport } from './run-report.js';
import type { RunOwnership } from './tenancy.js';

/** Runs (and their artifacts) a resource listing covers: the newest ones. */
const LISTED_RUNS = 20;
/** An artifact larger than this is not sent through MCP (base64 would make it a third larger). */
const MAX_ARTIFACT_BYTES = 16 * 1024 * 1024;

function isText(mimeType: string): boolean {
  return mimeType.startsWith('text/') || /json|xml|yaml|csv|javascript|typescript/.test(mimeType);
}

function one(value: string | string[] | undefined, name: string): string {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) throw new RomaError('VALIDATION_FAILED', `the resource URI lacks ${name}`, { field: name });
  return decodeURIComponent(text);
}

export function registerRunResources(
  server: McpServer,
  deps: { runtime: Runtime; ownership: RunOwnership; scrub: (text: string) => string },
): void {
  const { runtime, ownership, scrub } = deps;
  server.registerResource(
    'run',
    new ResourceTemplate('roma://runs/{executionId}', {
      list: async (extra) => {
        const runs = await runtime.runs.list({ limit: LISTED_RUNS * 5 });
        const resources = [];
        for (const run of runs) {
          if (resources.length >= LISTED_RUNS) break;
          if (!(await ownership.isVisible(run.id, extra))) continue;
          resources.push({
            uri: `roma://runs/${encodeURIComponent(run.id)}`,
            name: `run ${run.id}`,
            description: `${run.status}: ${run.goal.slice(0, 120)}`,
            mimeType: 'application/json',
          });
        }
        return { resources };
      },
    }),
    {
      title: 'A roma run',
      description: 'Status, answer, totals, task tree and artifacts of a run',
      mimeType: 'application/json',
    },
    async (uri, variables, extra) => {
      const executionId = one(variables.executionId, 'executionId');
      await ownership.assertVisible(executionId, extra);
      const report = runReport(executionId, await runtime.store.readEvents(executionId));
      return {
        contents: [
          { uri: uri.href, mimeType: 'application/json', text: scrub(JSON.stringify(report, null, 2)) },
        ],
      };
    },
  );

  server.registerResource(
    'artifact',
    new ResourceTemplate('roma://runs/{executionId}/artifacts/{name}', {
      list: async (extra) => {
        const runs = await runtime.runs.list({ limit: LISTED_RUNS });
        const resources = [];
        for (const run of runs) {
          if (!(await ownership.isVisible(run.id, extra))) continue;
          for (const artifact of await runtime.artifacts.list(run.id)) {
            resources.push({
              uri: `roma://runs/${encodeURIComponent(run.id)}/artifacts/${encodeURIComponent(artifact.name)}`,
              name: artifact.name,
              description: `${artifact.bytes} bytes, sha256 ${artifact.sha256}, from run ${run.id}`,
              mimeType: artifact.mimeType,
            });
          }
        }
        return { resources };
      },
    }),
    { title: 'An artifact of a roma run', description: 'A file a run produced, with its MIME type' },
    async (uri, variables, extra) => {
      const executionId = one(variables.executionId, 'executionId');
      const name = one(variables.name, 'name');
      await ownership.assertVisible(executionId, extra);
      const artifact = (await runtime.artifacts.list(executionId)).find(
        (candidate) => candidate.name === name,
      );
      if (!artifact) {
        throw new RomaError('NOT_FOUND', `run ${executionId} has no artifact ${name}`, {
          field: 'name',
          fix: `read roma://runs/${executionId} for its artifacts`,
        });
      }
      if (artifact.bytes > MAX_ARTIFACT_BYTES) {
        throw new RomaError(
          'VALIDATION_FAILED',
          `artifact ${name} has ${artifact.bytes} bytes; MCP reads are capped at ${MAX_ARTIFACT_BYTES}`,
          {
            field: 'name',
            fix: 'download it through the API (GET /api/v1/executions/:id/artifacts/:name)',
          },
        );
      }
      const bytes = await runtime.artifacts.get(artifact.uri);
      const content = isText(artifact.mimeType)
        ? { uri: uri.href, mimeType: artifact.mimeType, text: scrub(Buffer.from(bytes).toString('utf8')) }
        : { uri: uri.href, mimeType: artifact.mimeType, blob: Buffer.from(bytes).toString('base64') };
      return { contents: [content] };
    },
  );
}
