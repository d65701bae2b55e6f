// Every flag the config maps to a key is one a command declares (no config flag that nothing can pass).
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CLI_FLAG_KEYS } from '../config/index.js';
import { buildProgram } from './program.js';

function declaredFlags(command: Command): Set<string> {
  const flags = new Set(command.options.map((option) => option.long ?? ''));
  for (const sub of command.commands) for (const flag of declaredFlags(sub)) flags.add(flag);
  return flags;
}

describe('config flags', () => {
  it('are all declared by some command', () => {
    const declared = declaredFlags(buildProgram());
    const undeclared = Object.values(CLI_FLAG_KEYS)
      .map(({ flag }) => flag)
      .filter((flag) => !declared.has(flag));
    expect(undeclared).toEqual([]);
  });
});
