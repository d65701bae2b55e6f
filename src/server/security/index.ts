// Security of the API server: API keys, Host check, rate limit, combined in one gate.
export type { ApiKeySet } from './api-keys.js';
export { BEARER_SUBPROTOCOL_PREFIX, bearerToken, matchApiKey, parseApiKeys } from './api-keys.js';
export type { GateDecision } from './gate.js';
export { Gate } from './gate.js';
export { hostName, isLoopbackHost } from './host-check.js';
