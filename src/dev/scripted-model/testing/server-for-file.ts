// One scripted model server for every test of a file: started before them and closed after, its request log
// cleared before each test (and its rules reset, when the file says to what).
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ScriptedModelServer, ScriptedRule } from '../index.js';
import { startScriptedModelServer } from '../index.js';

/**
 * Registers the file's hooks and returns the server, usable from `beforeAll` on. With `rulesBeforeEach`, each
 * test starts with those rules; without, rules a test sets stay until another sets others.
 */
export function scriptedModelServerForFile(rulesBeforeEach?: () => ScriptedRule[]): ScriptedModelServer {
  let started: ScriptedModelServer | undefined;
  beforeAll(async () => {
    started = await startScriptedModelServer({ rules: [] });
  });
  afterAll(async () => {
    await started?.close();
  });
  beforeEach(() => {
    started?.clearRequests();
    if (rulesBeforeEach) started?.setRules(rulesBeforeEach());
  });
  // The tests' own name for the server, bound once it has started.
  return new Proxy({} as ScriptedModelServer, {
    get(_target, property) {
      if (!started) throw new Error('the scripted model server starts in beforeAll');
      const value: unknown = Reflect.get(started, property, started);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}
