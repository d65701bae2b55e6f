// Worker threads' entry modules, compiled or bundled from source.
export type { ThreadEntry } from './thread-entry-url.js';
export { threadEntryUrl } from './thread-entry-url.js';
