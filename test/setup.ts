// Test-run settings that keep the output readable: notices that only concern the test doubles are dropped here,
// once, with the reason; every other warning still prints.

// The AI SDK warns that `maxOutputTokens` falls back to 4,096 for a model id it does not know. The scripted
// test models ("scripted", "roma-demo-scripted") are such ids by design; a real model id gets no such notice.
const SCRIPTED_MODEL = /scripted/;
(globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS = (options: {
  warnings: Array<{ type: string; feature?: string }>;
  provider: string;
  model: string;
}) => {
  const shown = options.warnings.filter(
    (warning) =>
      !(
        warning.type === 'compatibility' &&
        warning.feature === 'maxOutputTokens' &&
        SCRIPTED_MODEL.test(options.model)
      ),
  );
  for (const warning of shown)
    console.warn(`AI SDK Warning (${options.provider} / ${options.model}):`, warning);
};

// Node 24 tears its environment down before better-sqlite3 12's destructors run, which then abort the test
// worker after its tests passed ("Assertion failed: (env) != nullptr", WiseLibs/better-sqlite3#1515). Ending the
// worker with process.exit from its 'exit' event skips that teardown, as `roma` itself does on Node 24.
const state = globalThis as { romaExitHookInstalled?: boolean };
if (Number(process.versions.node.split('.')[0]) >= 24 && !state.romaExitHookInstalled) {
  state.romaExitHookInstalled = true;
  process.once('exit', (code) => process.exit(code));
}
