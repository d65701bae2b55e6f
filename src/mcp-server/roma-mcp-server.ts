// roma as an MCP server: `solve` and the run-control tools, run resources, progress and log notifications.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult,
  LoggingLevel,
  ServerNotification,
  ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { LoggingLevelSchema, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createSecretScrubber, type RomaConfig, secretValuesOf } from '../config/index.js';
import {
  RunCancelInputSchema,
  RunEventsInputSchema,
  RunEventsOutputSchema,
  RunIdInputSchema,
  RunReportSchema,
  RunsListInputSchema,
  RunsListOutputSchema,
  type SolveToolInput,
  SolveToolInputSchema,
  toRomaError,
} from '../contracts/index.js';
import type { Runtime } from '../runtime/index.js';
import { answerPlainCallsDirectly } from './plain-calls.js';
import { registerRunResources } from './run-resources.js';
import { cancelRun, getRun, listRuns, resumeRun, runEvents } from './run-tools.js';
import { createSolveTask } from './solve-task.js';
import { callSolve } from './solve-tool.js';
import { createSolveTaskRegistry, type SolveTaskRegistry } from './task-registry.js';
import { createRunTaskStore } from './task-store.js';
import { createRunOwnership } from './tenancy.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

const MCP_SERVER_NAME = 'roma';

/** Syslog levels, least severe first (the protocol's order). */
const LOGGING_LEVELS: readonly LoggingLevel[] = LoggingLevelSchema.options;

export interface RomaMcpServerOptions {
  /** The package version, shown to clients. */
  version: string;
  /** Config of a named profile, for `solve`'s `profile`; absent: profiles are refused. */
  loadProfile?: (name: string) => RomaConfig;
  /** Runs are split by API key (several keys on the HTTP transport). */
  tenants?: boolean;
  /** Set when the scripted demo model answers: the server says so in its instructions. */
  demo?: boolean;
  /**
   * The solve tasks, shared by every session of one front end so that a task outlives the session that made it;
   * absent: this server keeps its own.
   */
  taskRegistry?: SolveTaskRegistry;
  /** Who the front end admitted for this server's one session (HTTP): with `tenants`, whose tasks it sees. */
  caller?: string;
}

/** Every text leaving the server goes through this: no configured secret reaches a client. */
function scrubResult<T extends CallToolResult>(result: T, scrub: (text: string) => string): T {
  return JSON.parse(scrub(JSON.stringify(result))) as T;
}

/** A new MCP server over `runtime` (one per connection on HTTP; the runtime is shared). */
export function createRomaMcpServer(runtime: Runtime, options: RomaMcpServerOptions): McpServer {
  const scrub = createSecretScrubber(secretValuesOf(runtime.config));
  const ownership = createRunOwnership(runtime.store, options.tenants === true);
  const deps = { runtime, ownership };
  const registry = options.taskRegistry ?? createSolveTaskRegistry();
  const taskStore = createRunTaskStore({
    registry,
    runtime,
    caller: options.caller ?? null,
    tenants: options.tenants === true,
    scrub,
  });
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: options.version },
    {
      capabilities: {
        logging: {},
        tools: {},
        resources: {},
        // solve may be called as a task (call now, fetch the result later); the SDK answers tasks/* from taskStore.
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      taskStore,
      instructions: [
        'roma solves a goal by recursion (atomize, plan, execute, aggregate, verify) and does tool work by writing code in a sandbox.',
        'Call `solve` with a goal; it reports progress as tasks finish. Long runs can be cancelled; `run_resume` continues a stopped one.',
        '`solve` can also be called as a task: poll tasks/get, fetch tasks/result; the task id is the run id.',
        options.demo
          ? 'This server runs the bundled SCRIPTED demo model: answers are canned, no key is needed.'
          : '',
      ]
        .filter(Boolean)
        .join(' '),
    },
  );

  const guarded =
    <Input>(handler: (input: Input, extra: Extra) => Promise<CallToolResult>) =>
    async (input: Input, extra: Extra): Promise<CallToolResult> => {
      try {
        return scrubResult(await handler(input, extra), scrub);
      } catch (error) {
        const romaError = toRomaError(error);
        return {
          isError: true,
          content: [{ type: 'text', text: scrub(romaError.toLine()) }],
        };
      }
    };

  // One server serves one session (stdio, or one HTTP session), so the level the client set is this server's.
  // Warnings are sent on the solve call's own stream: a streamable-HTTP client that opened no standalone stream
  // still gets them.
  let clientLevel: LoggingLevel | undefined;
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    clientLevel = request.params.level;
    return {};
  });
  const onWarning = (message: string, extra: Extra) => {
    if (clientLevel && LOGGING_LEVELS.indexOf('warning') < LOGGING_LEVELS.indexOf(clientLevel)) return;
    extra
      .sendNotification({
        method: 'notifications/message',
        params: { level: 'warning', logger: 'roma', data: scrub(message) },
      })
      .catch(() => undefined);
  };

  const solveDeps = {
    ...deps,
    onWarning,
    ...(options.loadProfile ? { loadProfile: options.loadProfile } : {}),
  };
  const solveDirectly = guarded((input: SolveToolInput, extra: Extra) => callSolve(solveDeps, input, extra));
  server.experimental.tasks.registerToolTask(
    'solve',
    {
      title: 'Solve a goal with roma',
      description:
        'Solve a goal by recursive planning (a task tree) with programmatic tool calling. Returns the answer, totals (tokens, cost) and the run id. Sends progress notifications as tasks finish when given a progress token; cancelling the request cancels the run. May be called as a task (the task id is the run id; tasks/cancel cancels the run).',
      inputSchema: SolveToolInputSchema,
      outputSchema: RunReportSchema,
      execution: { taskSupport: 'optional' },
    },
    {
      createTask: (input, extra) =>
        createSolveTask(
          {
            ...solveDeps,
            registry,
            taskStore,
            scrub,
            notifySession: (notification) => server.server.notification(notification),
          },
          input as SolveToolInput,
          extra,
        ),
      getTask: (_input, extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (_input, extra) =>
        (await extra.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
    },
  );
  answerPlainCallsDirectly(
    server,
    new Map([['solve', (input: unknown, extra: Extra) => solveDirectly(input as SolveToolInput, extra)]]),
  );
  server.registerTool(
    'runs_list',
    {
      title: 'List roma runs',
      description: 'The newest runs first, optionally of one status.',
      inputSchema: RunsListInputSchema,
      outputSchema: RunsListOutputSchema,
      annotations: { readOnlyHint: true },
    },
    guarded((input, extra) => listRuns(deps, input, extra)),
  );
  server.registerTool(
    'run_get',
    {
      title: 'Get a roma run',
      description: 'Status, answer, totals, task tree summary and artifacts of a run.',
      inputSchema: RunIdInputSchema,
      outputSchema: RunReportSchema,
      annotations: { readOnlyHint: true },
    },
    guarded((input, extra) => getRun(deps, input.executionId, extra)),
  );
  server.registerTool(
    'run_cancel',
    {
      title: 'Cancel a roma run',
      description: 'Stops a running run (in this process or another one on the same store).',
      inputSchema: RunCancelInputSchema,
      annotations: { destructiveHint: true },
    },
    guarded((input, extra) => cancelRun(deps, input, extra)),
  );
  server.registerTool(
    'run_resume',
    {
      title: 'Resume a roma run',
      description:
        'Continues a cancelled, stopped or crashed run from its log; finished tasks are not redone.',
      inputSchema: RunIdInputSchema,
    },
    guarded((input, extra) => resumeRun(deps, input.executionId, extra)),
  );
  server.registerTool(
    'run_events',
    {
      title: 'Read a run’s event log',
      description: 'Stored events after a seq, in order (at most `limit`); pass `nextAfter` back to read on.',
      inputSchema: RunEventsInputSchema,
      outputSchema: RunEventsOutputSchema,
      annotations: { readOnlyHint: true },
    },
    guarded((input, extra) => runEvents(deps, input, extra)),
  );
  registerRunResources(server, { runtime, ownership, scrub });
  return server;
}
