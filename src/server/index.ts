// HTTP front end: the error-code → status table, the API app and server (`roma serve`), streams and dashboard.
export { startApiServer } from './api-server.js';
export { loadDashboardAssets } from './dashboard-assets.js';
export { errorBody, errorResponse, httpStatusFor } from './http-status.js';
export { apiRuntimeFrom } from './runtime-adapter.js';
export { bearerToken, isLoopbackHost, matchApiKey, parseApiKeys } from './security/index.js';
