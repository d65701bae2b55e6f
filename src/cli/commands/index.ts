// The list of `roma` subcommands; each module registers one command (and its subcommands).
import type { Command } from 'commander';
import { registerSchemaCommand } from './schema.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [registerSchemaCommand];
