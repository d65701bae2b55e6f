// Runs one model-written program in the session, after the prelude that makes the tool modules usable.
import type { PTCExecutionPlan } from '../../contracts/index.js';
import type { SandboxRunResult, SandboxSession } from '../../sandbox/sandbox.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';
import { rewriteToolImports, typescriptPrelude } from '../modules/typescript-module.js';

const PYTHON_PRELUDE =
  'import os as _roma_os, sys as _roma_sys\nif _roma_os.getcwd() not in _roma_sys.path: _roma_sys.path.insert(0, _roma_os.getcwd())\n_roma_os.makedirs("results", exist_ok=True)';

export async function runProgram(
  plan: PTCExecutionPlan,
  catalog: ToolCatalog,
  session: SandboxSession,
  code: string,
  signal: AbortSignal,
): Promise<SandboxRunResult> {
  const options = {
    language: plan.language,
    timeoutMs: plan.sandbox.timeoutMs,
    memoryMb: plan.sandbox.memoryMb,
    maxOutputChars: plan.limits.maxOutputChars,
    signal,
  };
  if (plan.language === 'python') {
    // `from tools import x` needs the workspace on sys.path, and results/ must exist to be written to.
    const prelude = await session.run(PYTHON_PRELUDE, options);
    if (prelude.exitCode !== 0) return prelude;
    return session.run(code, options);
  }
  if (catalog.servers.length > 0) {
    // Defines the tool namespaces; run every time since a timed-out run resets the interpreter.
    const prelude = await session.run(typescriptPrelude(catalog.servers), {
      ...options,
      language: 'javascript',
    });
    if (prelude.exitCode !== 0) return prelude;
  }
  return session.run(rewriteToolImports(code, catalog.servers), options);
}
