// Scripted model server for tests and demos: real OpenAI/Anthropic wire formats on 127.0.0.1, driven by rules.
export { scriptedLlmConfig } from './llm-config.js';
export { loadScriptFile, parseScript } from './script-file.js';
export type { ScriptedTree } from './scripted-tree.js';
export { ScriptedTreeSchema, scriptedTreeRules, taskLine } from './scripted-tree.js';
export { startScriptedModelServer } from './server.js';
export type {
  ScriptedModelServer,
  ScriptedRequest,
  ScriptedRule,
} from './types.js';
