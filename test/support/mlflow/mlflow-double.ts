// A loopback MLflow tracking server speaking the REST API 2.0 endpoints roma uses, with MLflow's error shape
// (`{ error_code, message }` and its HTTP statuses) and its per-request limits; keeps what it was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DoubleRun {
  runId: string;
  experimentId: string;
  runName: string;
  status: string;
  startTime: number;
  endTime: number | null;
  params: Map<string, string>;
  metrics: Map<string, number>;
  tags: Map<string, string>;
  artifacts: Map<string, string>;
}

export interface MlflowDouble {
  url: string;
  experiments: Map<string, string>;
  runs: Map<string, DoubleRun>;
  requests: Array<{ method: string; path: string }>;
  /** The next `count` requests answer 503 TEMPORARILY_UNAVAILABLE. */
  failNext(count: number): void;
  /** Every request waits this long before answering. */
  delayMs: number;
  runsOfExecution(executionId: string): DoubleRun[];
  close(): Promise<void>;
}

const LIMITS = { metrics: 1000, params: 100, tags: 100, paramChars: 6000, tagChars: 8000 };

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(body: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {}
  throw new ApiError(400, 'MALFORMED_REQUEST', 'Malformed request body');
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || !value) {
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${field}'.`);
  }
  return value;
}

function keyValues(body: Record<string, unknown>, field: string): Array<{ key: string; value: string }> {
  const value = body[field] ?? [];
  if (!Array.isArray(value)) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `'${field}' must be a list`);
  return value.map((item) => {
    const entry = item as { key?: unknown; value?: unknown };
    if (typeof entry.key !== 'string' || typeof entry.value !== 'string') {
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `each of '${field}' needs a string key and value`);
    }
    return { key: entry.key, value: entry.value };
  });
}

export async function startMlflowDouble(): Promise<MlflowDouble> {
  const experiments = new Map<string, string>();
  const runs = new Map<string, DoubleRun>();
  const requests: Array<{ method: string; path: string }> = [];
  let failures = 0;
  let nextId = 1;

  const runOf = (runId: string): DoubleRun => {
    const run = runs.get(runId);
    if (!run) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`);
    return run;
  };

  const handle = async (method: string, url: URL, body: string): Promise<unknown> => {
    const path = url.pathname;
    if (method === 'GET' && path === '/health') return 'OK';
    if (method === 'GET' && path === '/api/2.0/mlflow/experiments/get-by-name') {
      const name = url.searchParams.get('experiment_name') ?? '';
      const id = experiments.get(name);
      if (!id)
        throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
      return { experiment: { experiment_id: id, name, lifecycle_stage: 'active' } };
    }
    if (method === 'POST' && path === '/api/2.0/mlflow/experiments/create') {
      const name = requireString(json(body), 'name');
      if (experiments.has(name)) {
        throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`);
      }
      const id = String(nextId++);
      experiments.set(name, id);
      return { experiment_id: id };
    }
    if (method === 'POST' && path === '/api/2.0/mlflow/runs/create') {
      const request = json(body);
      const experimentId = requireString(request, 'experiment_id');
      if (![...experiments.values()].includes(experimentId)) {
        throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${experimentId} exists`);
      }
      const runId = `run${String(nextId++).padStart(6, '0')}`;
      const run: DoubleRun = {
        runId,
        experimentId,
        runName: typeof request.run_name === 'string' ? request.run_name : '',
        status: 'RUNNING',
        startTime: typeof request.start_time === 'number' ? request.start_time : Date.now(),
        endTime: null,
        params: new Map(),
        metrics: new Map(),
        tags: new Map(keyValues(request, 'tags').map(({ key, value }) => [key, value])),
        artifacts: new Map(),
      };
      runs.set(runId, run);
      return {
        run: {
          info: {
            run_id: runId,
            run_uuid: runId,
            experiment_id: experimentId,
            run_name: run.runName,
            status: 'RUNNING',
            start_time: run.startTime,
            artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
            lifecycle_stage: 'active',
          },
          data: {},
        },
      };
    }
    if (method === 'POST' && path === '/api/2.0/mlflow/runs/log-batch') {
      const request = json(body);
      const run = runOf(requireString(request, 'run_id'));
      const metrics = (request.metrics ?? []) as Array<{
        key?: unknown;
        value?: unknown;
        timestamp?: unknown;
      }>;
      const params = keyValues(request, 'params');
      const tags = keyValues(request, 'tags');
      if (metrics.length > LIMITS.metrics || params.length > LIMITS.params || tags.length > LIMITS.tags) {
        throw new ApiError(
          400,
          'INVALID_PARAMETER_VALUE',
          'A batch logging request can contain at most 1000 metrics, 100 params and 100 tags',
        );
      }
      for (const param of params) {
        if (param.value.length > LIMITS.paramChars) {
          throw new ApiError(
            400,
            'INVALID_PARAMETER_VALUE',
            `Param value '${param.key}' had length ${param.value.length}, which exceeded length limit of ${LIMITS.paramChars}`,
          );
        }
        const existing = run.params.get(param.key);
        if (existing !== undefined && existing !== param.value) {
          throw new ApiError(
            400,
            'INVALID_PARAMETER_VALUE',
            `Changing param values is not allowed. Param with key='${param.key}' was already logged`,
          );
        }
      }
      for (const metric of metrics) {
        if (
          typeof metric.key !== 'string' ||
          typeof metric.value !== 'number' ||
          typeof metric.timestamp !== 'number'
        ) {
          throw new ApiError(
            400,
            'INVALID_PARAMETER_VALUE',
            'each metric needs a string key, a number value and a timestamp',
          );
        }
      }
      for (const param of params) run.params.set(param.key, param.value);
      for (const metric of metrics) run.metrics.set(metric.key as string, metric.value as number);
      for (const tag of tags) run.tags.set(tag.key, tag.value);
      return {};
    }
    if (method === 'POST' && path === '/api/2.0/mlflow/runs/update') {
      const request = json(body);
      const run = runOf(requireString(request, 'run_id'));
      const status = requireString(request, 'status');
      if (!['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'].includes(status)) {
        throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Invalid value ${status} for parameter 'status'`);
      }
      run.status = status;
      if (typeof request.end_time === 'number') run.endTime = request.end_time;
      return { run_info: { run_id: run.runId, status } };
    }
    if (method === 'GET' && path === '/api/2.0/mlflow/runs/get') {
      const run = runOf(url.searchParams.get('run_id') ?? '');
      return { run: { info: { run_id: run.runId, status: run.status } } };
    }
    const artifact = /^\/api\/2\.0\/mlflow-artifacts\/artifacts\/([^/]+)\/([^/]+)\/artifacts\/(.+)$/.exec(
      path,
    );
    if (method === 'PUT' && artifact) {
      const run = runOf(decodeURIComponent(artifact[2]!));
      run.artifacts.set(decodeURIComponent(artifact[3]!), body);
      return {};
    }
    throw new ApiError(404, 'ENDPOINT_NOT_FOUND', `No API endpoint ${method} ${path}`);
  };

  const double: MlflowDouble = {
    url: '',
    experiments,
    runs,
    requests,
    delayMs: 0,
    failNext(count) {
      failures = count;
    },
    runsOfExecution: (executionId) =>
      [...runs.values()].filter((run) => run.tags.get('roma.execution_id') === executionId),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(request);
      requests.push({ method: request.method ?? 'GET', path: url.pathname });
      if (double.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, double.delayMs));
      const send = (status: number, payload: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (failures > 0) {
        failures -= 1;
        return send(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'try again' });
      }
      try {
        send(200, await handle(request.method ?? 'GET', url, body));
      } catch (error) {
        if (error instanceof ApiError)
          send(error.status, { error_code: error.errorCode, message: error.message });
        else send(500, { error_code: 'INTERNAL_ERROR', message: String(error) });
      }
    })();
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return double;
}
