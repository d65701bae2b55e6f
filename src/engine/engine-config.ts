// The slice of the config the engine reads: its own section plus what a PTC plan is built from.
import type { RomaConfig } from '../config/schema.js';

export type EngineRunConfig = Pick<RomaConfig, 'engine' | 'ptc' | 'sandbox' | 'cache'>;
