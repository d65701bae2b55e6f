// The MLflow REST API 2.0 calls roma uses (experiments, runs, log-batch, proxied artifact upload), with MLflow's
// error shape `{ error_code, message }` turned into DeliveryErrors that say whether a retry can help.
import { DeliveryError } from '../delivery-queue.js';

export interface MlflowKeyValue {
  key: string;
  value: string;
}

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface MlflowRunInfo {
  runId: string;
  experimentId: string;
  artifactUri: string;
}

export type MlflowRunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/** MLflow's own limits on one log-batch request. */
const MLFLOW_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100 } as const;
/** Param values longer than this are refused by older servers (500 before MLflow 2.x); cut to fit all. */
export const MLFLOW_MAX_PARAM_CHARS = 500;
export const MLFLOW_MAX_TAG_CHARS = 5000;

export class MlflowRequestError extends DeliveryError {
  constructor(
    message: string,
    retryable: boolean,
    readonly status: number,
    readonly errorCode: string | null,
  ) {
    super(message, retryable);
  }
}

function errorCodeOf(body: string): { errorCode: string | null; message: string } {
  try {
    const parsed = JSON.parse(body) as { error_code?: unknown; message?: unknown };
    return {
      errorCode: typeof parsed.error_code === 'string' ? parsed.error_code : null,
      message: typeof parsed.message === 'string' ? parsed.message : body.slice(0, 200),
    };
  } catch {
    return { errorCode: null, message: body.slice(0, 200) };
  }
}

export class MlflowClient {
  private readonly baseUrl: string;

  constructor(trackingUri: string) {
    this.baseUrl = trackingUri.replace(/\/+$/, '');
  }

  private async request(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    signal: AbortSignal,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        signal,
        ...(body === undefined
          ? {}
          : {
              headers: { 'content-type': contentType },
              body: typeof body === 'string' ? body : JSON.stringify(body),
            }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new DeliveryError(`MLflow ${method} ${path}: ${cause ?? (error as Error).message}`, true);
    }
    const text = await response.text();
    if (!response.ok) {
      const { errorCode, message } = errorCodeOf(text);
      // 429 and 5xx may pass on a later try; any other 4xx is a request MLflow will refuse again.
      const retryable = response.status === 429 || response.status >= 500;
      throw new MlflowRequestError(
        `MLflow ${method} ${path}: HTTP ${response.status}${errorCode ? ` ${errorCode}` : ''}: ${message}`,
        retryable,
        response.status,
        errorCode,
      );
    }
    if (!text) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new DeliveryError(`MLflow ${method} ${path}: answered something other than JSON`, false);
    }
    // Every answer of the API is a JSON object; anything else (null, a list, a number) is not MLflow.
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new DeliveryError(`MLflow ${method} ${path}: answered JSON that is not an object`, false);
    }
    return parsed;
  }

  /** The experiment's id, creating it when it does not exist (and coping with a concurrent creator). */
  async ensureExperiment(name: string, signal: AbortSignal): Promise<string> {
    const found = await this.findExperiment(name, signal);
    if (found) return found;
    try {
      const created = (await this.request('POST', '/api/2.0/mlflow/experiments/create', signal, {
        name,
      })) as {
        experiment_id?: unknown;
      };
      if (typeof created.experiment_id === 'string') return created.experiment_id;
      throw new DeliveryError('MLflow experiments/create answered no experiment_id', false);
    } catch (error) {
      if (error instanceof MlflowRequestError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const raced = await this.findExperiment(name, signal);
        if (raced) return raced;
      }
      throw error;
    }
  }

  async findExperiment(name: string, signal: AbortSignal): Promise<string | null> {
    try {
      const answer = (await this.request(
        'GET',
        `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
        signal,
      )) as { experiment?: { experiment_id?: unknown; lifecycle_stage?: unknown } };
      const id = answer.experiment?.experiment_id;
      return typeof id === 'string' ? id : null;
    } catch (error) {
      if (error instanceof MlflowRequestError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw error;
    }
  }

  async createRun(
    input: { experimentId: string; runName: string; startTime: number; tags: MlflowKeyValue[] },
    signal: AbortSignal,
  ): Promise<MlflowRunInfo> {
    const answer = (await this.request('POST', '/api/2.0/mlflow/runs/create', signal, {
      experiment_id: input.experimentId,
      run_name: input.runName,
      start_time: input.startTime,
      tags: input.tags,
    })) as { run?: { info?: { run_id?: unknown; experiment_id?: unknown; artifact_uri?: unknown } } };
    const info = answer.run?.info;
    if (typeof info?.run_id !== 'string')
      throw new DeliveryError('MLflow runs/create answered no run_id', false);
    return {
      runId: info.run_id,
      experimentId: typeof info.experiment_id === 'string' ? info.experiment_id : input.experimentId,
      artifactUri: typeof info.artifact_uri === 'string' ? info.artifact_uri : '',
    };
  }

  /** Params, metrics and tags, split into requests within MLflow's per-request limits. */
  async logBatch(
    runId: string,
    batch: { params?: MlflowKeyValue[]; metrics?: MlflowMetric[]; tags?: MlflowKeyValue[] },
    signal: AbortSignal,
  ): Promise<void> {
    const params = [...(batch.params ?? [])];
    const metrics = [...(batch.metrics ?? [])];
    const tags = [...(batch.tags ?? [])];
    while (params.length || metrics.length || tags.length) {
      await this.request('POST', '/api/2.0/mlflow/runs/log-batch', signal, {
        run_id: runId,
        params: params.splice(0, MLFLOW_BATCH_LIMITS.params),
        metrics: metrics.splice(0, MLFLOW_BATCH_LIMITS.metrics),
        tags: tags.splice(0, MLFLOW_BATCH_LIMITS.tags),
      });
    }
  }

  async updateRun(
    runId: string,
    status: MlflowRunStatus,
    endTime: number,
    signal: AbortSignal,
  ): Promise<void> {
    await this.request('POST', '/api/2.0/mlflow/runs/update', signal, {
      run_id: runId,
      status,
      end_time: endTime,
    });
  }

  /**
   * Uploads one file through the tracking server's artifact proxy (`mlflow server` serves artifacts by default
   * since 2.0). A run whose artifact root the server does not proxy (`--no-serve-artifacts`) cannot take it.
   */
  async uploadArtifact(
    run: MlflowRunInfo,
    name: string,
    content: string,
    signal: AbortSignal,
  ): Promise<void> {
    const prefix = 'mlflow-artifacts:/';
    if (!run.artifactUri.startsWith(prefix)) {
      throw new DeliveryError(
        `MLflow run ${run.runId} stores artifacts at ${run.artifactUri || '(none)'}, which the tracking server does not proxy; start it with --serve-artifacts`,
        false,
      );
    }
    const path = run.artifactUri.slice(prefix.length).replace(/^\/+/, '');
    await this.request(
      'PUT',
      `/api/2.0/mlflow-artifacts/artifacts/${path.split('/').map(encodeURIComponent).join('/')}/${encodeURIComponent(name)}`,
      signal,
      content,
      'application/x-ndjson',
    );
  }
}
