// ArtifactStore on S3 or an S3-compatible server (MinIO): `s3://<bucket>/<prefix><executionId>/<taskId>/<name>`.
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Artifact } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import { artifactSegments, sanitizeSegment, sha256Hex, validatePutInput } from './artifact-names.js';
import type { ArtifactStore, PutArtifactInput } from './artifact-store.js';

const SHA256_METADATA_KEY = 'sha256';
const MAX_LIST_PAGES = 100;
const HEAD_CONCURRENCY = 8;

interface S3ArtifactStoreOptions {
  bucket: string;
  /** An S3-compatible endpoint (MinIO, s3rver); AWS when absent. */
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `bucket` in the path instead of the host name; MinIO needs it, so it defaults on when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Prepended to every key, e.g. `roma/`. */
  keyPrefix?: string;
  /** Bound on each request to the server. */
  requestTimeoutMs?: number;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly bucket: string;
  readonly #client: S3Client;
  readonly #keyPrefix: string;
  readonly #requestTimeoutMs: number;

  constructor(options: S3ArtifactStoreOptions) {
    if (!options.bucket) {
      throw new RomaError('CONFIG_INVALID', 'store.s3Bucket is empty', {
        field: 'store.s3Bucket',
        fix: 'set S3_BUCKET (store.s3Bucket) to an existing bucket',
      });
    }
    this.bucket = options.bucket;
    this.#keyPrefix = options.keyPrefix ?? '';
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const config: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // S3-compatible servers do not all speak the newer default checksum headers; send them only when required.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    };
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.accessKeyId && options.secretAccessKey) {
      config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
    }
    this.#client = new S3Client(config);
  }

  async put(input: PutArtifactInput): Promise<Artifact> {
    const { executionId, taskId, name, mimeType, bytes } = validatePutInput(input);
    const [executionSegment, taskSegment, fileName] = artifactSegments({ executionId, taskId, name });
    const key = `${this.#keyPrefix}${executionSegment}/${taskSegment}/${fileName}`;
    const sha256 = sha256Hex(bytes);
    await this.#call(`store artifact ${fileName}`, (abortSignal) =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: mimeType,
          ContentLength: bytes.byteLength,
          Metadata: { [SHA256_METADATA_KEY]: sha256 },
        }),
        { abortSignal },
      ),
    );
    return { name: fileName, mimeType, uri: this.#uriOf(key), bytes: bytes.byteLength, sha256 };
  }

  async get(uri: string): Promise<Uint8Array> {
    const key = this.#keyOf(uri);
    const response = await this.#call(`read artifact ${uri}`, (abortSignal) =>
      this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
    );
    if (!response.Body) throw new RomaError('NOT_FOUND', `no artifact at ${uri}`, { field: 'uri' });
    return response.Body.transformToByteArray();
  }

  async list(executionId: string): Promise<Artifact[]> {
    const prefix = `${this.#keyPrefix}${sanitizeSegment(executionId)}/`;
    const keys: string[] = [];
    let continuationToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const response = await this.#call(`list artifacts of ${executionId}`, (abortSignal) =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ContinuationToken: continuationToken,
          }),
          { abortSignal },
        ),
      );
      for (const object of response.Contents ?? []) if (object.Key) keys.push(object.Key);
      continuationToken = response.NextContinuationToken;
      if (!response.IsTruncated || !continuationToken) break;
    }
    keys.sort();
    // Type and checksum live in each object's headers; a few HEADs at a time keep listing quick but polite.
    const artifacts: Artifact[] = [];
    for (let start = 0; start < keys.length; start += HEAD_CONCURRENCY) {
      const batch = keys.slice(start, start + HEAD_CONCURRENCY);
      const described = await Promise.all(batch.map((key) => this.#describe(key)));
      for (const artifact of described) if (artifact) artifacts.push(artifact);
    }
    return artifacts;
  }

  /** Releases the HTTP connections of the client. */
  close(): void {
    this.#client.destroy();
  }

  /** Null for an object this store did not write (no checksum metadata): listing it would invent a sha256. */
  async #describe(key: string): Promise<Artifact | null> {
    const head = await this.#call(`describe artifact ${key}`, (abortSignal) =>
      this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
    );
    const sha256 = head.Metadata?.[SHA256_METADATA_KEY];
    if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) return null;
    return {
      name: key.slice(key.lastIndexOf('/') + 1),
      mimeType: head.ContentType ?? 'application/octet-stream',
      uri: this.#uriOf(key),
      bytes: head.ContentLength ?? 0,
      sha256,
    };
  }

  #uriOf(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  #keyOf(uri: string): string {
    const prefix = `s3://${this.bucket}/`;
    if (!uri.startsWith(prefix) || uri.length === prefix.length) {
      throw new RomaError('VALIDATION_FAILED', `uri: ${uri} is not an s3:// uri in bucket ${this.bucket}`, {
        field: 'uri',
      });
    }
    return uri.slice(prefix.length);
  }

  /** One request, bounded by `requestTimeoutMs`, with S3's failures mapped to typed errors. */
  async #call<T>(action: string, request: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await request(AbortSignal.timeout(this.#requestTimeoutMs));
    } catch (error) {
      throw mapS3Error(error, action, this.bucket);
    }
  }
}

function mapS3Error(error: unknown, action: string, bucket: string): RomaError {
  const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = failure.$metadata?.httpStatusCode;
  const message = failure.message ?? String(error);
  if (
    failure.name === 'NoSuchKey' ||
    failure.name === 'NotFound' ||
    (status === 404 && failure.name !== 'NoSuchBucket')
  ) {
    return new RomaError('NOT_FOUND', `${action}: nothing stored there`, { field: 'uri', cause: error });
  }
  if (failure.name === 'NoSuchBucket') {
    return new RomaError('STORE_FAILED', `${action}: bucket ${bucket} does not exist`, {
      cause: error,
      fix: 'create the bucket, or set S3_BUCKET (store.s3Bucket) to an existing one',
    });
  }
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
    return new RomaError('TIMEOUT', `${action}: the S3 server did not answer in time`, {
      cause: error,
      retryable: true,
    });
  }
  return new RomaError('STORE_FAILED', `${action} failed: ${message}`, {
    cause: error,
    retryable: status === undefined || status >= 500 || status === 429,
    fix: 'check S3_ENDPOINT, S3_BUCKET and the S3 credentials (store.s3*)',
  });
}
