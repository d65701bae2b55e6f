// A layer of config: a partial config object plus where each of its values came from.
import type { PlainObject } from './paths.js';
import type { ConfigSources } from './sources.js';

export interface ConfigLayer {
  values: PlainObject;
  sources: ConfigSources;
}
