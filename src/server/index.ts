// HTTP front end: the error-code → status table, the API app and server (`roma serve`), streams and dashboard.
export type { ApiRunControl, ApiRuntime, ReadyCheck } from './api-runtime.js';
export type { ApiServerOptions, RunningApiServer } from './api-server.js';
export { checkBindAddress, startApiServer } from './api-server.js';
export type { ApiAppOptions } from './app.js';
export { createApiApp } from './app.js';
export type { DashboardAssets } from './dashboard-assets.js';
export { dashboardDirectory, loadDashboardAssets } from './dashboard-assets.js';
export { errorBody, errorResponse, httpStatusFor } from './http-status.js';
export { buildOpenApiDocument } from './openapi.js';
export { API_PREFIX, API_ROUTES } from './route-table.js';
export { apiRuntimeFrom } from './runtime-adapter.js';
export type { ApiKeySet } from './security/index.js';
export { BEARER_SUBPROTOCOL_PREFIX, Gate, parseApiKeys } from './security/index.js';
export type { StreamOptions } from './streams/index.js';
export { CLOSE_SLOW_CLIENT, DEFAULT_STREAM_OPTIONS } from './streams/index.js';
