// A loopback MLflow REST double for tests (tracking, doctor, the stack rehearsal).
export type { MlflowDouble } from './mlflow-double.js';
export { startMlflowDouble } from './mlflow-double.js';
