// Shipped developer features: the scripted model server (`roma dev scripted-model`) and the demo model (`roma demo`).
export type { DemoModel, DemoModelOptions } from './demo-model.js';
export {
  DEFAULT_DEMO_SCRIPT,
  DEMO_MODEL_ID,
  DEMO_PRICE,
  demoConfig,
  demoScriptPath,
  loadDemoTree,
  startDemoModel,
} from './demo-model.js';
export type {
  ScriptedModelServer,
  ScriptedModelServerOptions,
  ScriptedRule,
  ScriptedTree,
} from './scripted-model/index.js';
export {
  loadScriptFile,
  ScriptedTreeSchema,
  scriptedTreeRules,
  startScriptedModelServer,
} from './scripted-model/index.js';
