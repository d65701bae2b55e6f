// The bundled sales MCP server: its launch config and the deterministic data it serves.
export { salesServerConfig } from './config.js';
export type { Customer, LogEntry, Order, SalesData } from './sales-data.js';
export { generateSalesData } from './sales-data.js';
