// Kept for tests written against the old path: the scripted model server now ships in src/dev/scripted-model.
export * from '../../../src/dev/scripted-model/index.js';
