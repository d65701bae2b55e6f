// A front end of one line for the runtime tests: opens the runtime from env, starts a run, prints how it ended.
import { loadConfig } from '../../../src/config/index.js';
import { openRuntime } from '../../../src/runtime/index.js';

const goal = process.argv[2] ?? '';
const runtime = await openRuntime(loadConfig({ cwd: process.cwd(), env: process.env }), {
  cancelPollIntervalMs: 50,
});
try {
  const handle = runtime.runs.start({ goal });
  process.stdout.write(`${JSON.stringify({ executionId: handle.executionId })}\n`);
  const outcome = await handle.done;
  process.stdout.write(`${JSON.stringify({ status: outcome.status })}\n`);
} finally {
  await runtime.close();
}
