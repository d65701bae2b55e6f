// The list of `roma` subcommands; each module registers one command (and its subcommands).
import type { Command } from 'commander';
import { registerCacheCommand } from './cache.js';
import { registerConfigCommand } from './config.js';
import { registerDemoCommand } from './demo.js';
import { registerDevCommand } from './dev.js';
import { registerDoctorCommand } from './doctor.js';
import { registerMcpCommand } from './mcp.js';
import { registerPtcCommand } from './ptc.js';
import { registerRunsCommand } from './runs.js';
import { registerSandboxCommand } from './sandbox.js';
import { registerSchemaCommand } from './schema.js';
import { registerServeCommand } from './serve.js';
import { registerSolveCommand } from './solve.js';
import { registerToolsCommand } from './tools.js';
import { registerWorkerCommand } from './worker.js';

type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerSchemaCommand,
  registerDevCommand,
  registerConfigCommand,
  registerDoctorCommand,
  registerSolveCommand,
  registerRunsCommand,
  registerDemoCommand,
  registerSandboxCommand,
  registerPtcCommand,
  registerToolsCommand,
  registerMcpCommand,
  registerWorkerCommand,
  registerCacheCommand,
  registerServeCommand,
];
