// Steps done in the run's own process (the default scheduler) pass the step dispatcher conformance suite.
import { runStepDispatcherConformance } from './step-dispatcher.conformance.js';
import { inProcessSteps } from './steps/step-dispatcher.js';

runStepDispatcherConformance('in process', {
  open: async () => ({ steps: inProcessSteps, close: async () => undefined }),
});
