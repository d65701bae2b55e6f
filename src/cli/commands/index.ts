// The list of `roma` subcommands; each module registers one command (and its subcommands).
import type { Command } from 'commander';
import { registerConfigCommand } from './config.js';
import { registerDevCommand } from './dev.js';
import { registerDoctorCommand } from './doctor.js';
import { registerSchemaCommand } from './schema.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerSchemaCommand,
  registerDevCommand,
  registerConfigCommand,
  registerDoctorCommand,
];
