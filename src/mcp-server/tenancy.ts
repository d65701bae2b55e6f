// Who may see which run: with several API keys each key is a tenant and sees only the runs it started; with one
// key, or on stdio (the user's own process), every run in the store is the caller's.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { RomaError, type StreamEvent } from '../contracts/index.js';
import type { ExecutionStore } from '../store/index.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The metadata key under which a run records the tenant that started it. */
export const OWNER_METADATA_KEY = 'owner';

export interface RunOwnership {
  /** What a new run records about its caller (empty when runs are not split by tenant). */
  metadataFor(extra: Extra): Record<string, string>;
  /** NOT_FOUND — never "forbidden", which would confirm the id exists — when the caller may not see the run. */
  assertVisible(executionId: string, extra: Extra): Promise<void>;
  isVisible(executionId: string, extra: Extra): Promise<boolean>;
}

/** The labels a run recorded at its start (`execution-start`'s `options.metadata`), from its first event. */
export function runMetadataOf(first: StreamEvent | undefined): Record<string, unknown> | null {
  if (first?.type !== 'execution-start') return null;
  const metadata = first.options.metadata;
  return metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>) : null;
}

function ownerOf(first: StreamEvent | undefined): string | null {
  const owner = runMetadataOf(first)?.[OWNER_METADATA_KEY];
  return typeof owner === 'string' ? owner : null;
}

/**
 * `tenants` true when the server has several keys: the caller's identity (`extra.authInfo.clientId`, set by the
 * HTTP front end from the matched key) must match the run's recorded owner.
 */
export function createRunOwnership(store: ExecutionStore, tenants: boolean): RunOwnership {
  const identity = (extra: Extra): string | null => extra.authInfo?.clientId ?? null;
  const isVisible = async (executionId: string, extra: Extra): Promise<boolean> => {
    const first = (await store.readEvents(executionId, { limit: 1 }))[0];
    if (!first) return false;
    if (!tenants) return true;
    const caller = identity(extra);
    return caller !== null && ownerOf(first) === caller;
  };
  return {
    metadataFor: (extra): Record<string, string> => {
      const caller = identity(extra);
      return tenants && caller ? { [OWNER_METADATA_KEY]: caller } : {};
    },
    isVisible,
    assertVisible: async (executionId, extra) => {
      if (!(await isVisible(executionId, extra))) {
        throw new RomaError('NOT_FOUND', `no run ${executionId}`, {
          field: 'executionId',
          fix: 'list your runs with runs_list',
        });
      }
    },
  };
}
