// HTTP concerns shared by the services: error code → status and error body.
export { errorBody, errorResponse, httpStatusFor } from './http-status.js';
