// The engine's end-to-end suite with its steps done in the run's own process (the default scheduler).
import { runEngineSuite } from './engine.suite.js';

runEngineSuite('in process', {
  remote: false,
  open: async (kit, overrides) => ({ deps: kit.deps(overrides), close: async () => undefined }),
});
