// Shipped developer features: the scripted model server (`roma dev scripted-model`) and the demo model (`roma demo`).
export type { DemoModel, DemoModelOptions } from './demo-model.js';
export {
  DEMO_MODEL_ID,
  loadDemoTree,
  startDemoModel,
} from './demo-model.js';
export type {
  ScriptedModelServer,
  ScriptedTree,
} from './scripted-model/index.js';
export {
  scriptedTreeRules,
  startScriptedModelServer,
} from './scripted-model/index.js';
