// `roma sandbox run [--provider P] [--language L] [--timeout-ms N] FILE|-` and `roma sandbox test [--provider P]`.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { loadConfigFromCli } from '../../config/index.js';
import {
  type CodeLanguage,
  CodeLanguageSchema,
  parseWith,
  RomaError,
  SANDBOX_PROVIDERS,
  type SandboxProviderName,
  SandboxProviderSchema,
} from '../../contracts/index.js';
import { openSandboxes } from '../../runtime/index.js';
import {
  MAX_PROGRAM_BYTES,
  runSandboxSelfTest,
  type SandboxRunResult,
  type SelfTestReport,
  type SelfTestStep,
} from '../../sandbox/index.js';
import { guestLines } from '../render/index.js';

export function registerSandboxCommand(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('run code in a sandbox provider and check providers');

  sandbox
    .command('run')
    .description('run a program (FILE, or - for stdin) in a fresh sandbox; prints its output and exit status')
    .argument('<file>', 'program file, or - to read it from stdin')
    .option('--provider <provider>', `sandbox provider (${SANDBOX_PROVIDERS.join(', ')})`)
    .option('--language <language>', 'typescript, javascript or python (default: from the file extension)')
    .option('--timeout-ms <ms>', 'wall-clock limit of the run')
    .action(async (file: string, options: RunOptions, command: Command) => {
      process.exitCode = await sandboxRun(file, options, command);
    });

  sandbox
    .command('test')
    .description('check the sandbox providers step by step (Daytona only when DAYTONA_API_KEY is set)')
    .option('--provider <provider>', `only this provider (${SANDBOX_PROVIDERS.join(', ')})`)
    .action(async (options: { provider?: string }, command: Command) => {
      const config = loadConfigFromCli(command).sandbox;
      const provider = options.provider === undefined ? undefined : parseProvider(options.provider);
      const report = await runSandboxSelfTest(config, provider ? { provider } : {});
      process.stdout.write(renderSelfTestReport(report));
      process.exitCode = report.ok ? 0 : 1;
    });
}

interface RunOptions {
  provider?: string;
  language?: string;
  timeoutMs?: string;
}

async function sandboxRun(file: string, options: RunOptions, command: Command): Promise<number> {
  const config = loadConfigFromCli(command).sandbox;
  const code = readProgram(file);
  const language = options.language === undefined ? languageOf(file) : parseLanguage(options.language);
  let provider = options.provider === undefined ? config.provider : parseProvider(options.provider);
  if (options.provider === undefined && language === 'python' && provider === 'isolate') {
    // The isolate runs only JavaScript/TypeScript; Python needs the bubblewrap sandbox.
    provider = 'process';
    process.stderr.write('roma: python runs in the process sandbox (bubblewrap); using --provider process\n');
  }
  const timeoutMs = options.timeoutMs === undefined ? undefined : parseTimeout(options.timeoutMs);
  // One run: no warm pool to fill.
  const sandboxes = openSandboxes({ ...config, poolSize: 0 });
  const sandbox = sandboxes.sandboxFor(provider);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let result: SandboxRunResult;
  try {
    const session = await sandbox.openSession();
    try {
      result = await session.run(code, {
        ...(language ? { language } : {}),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        signal: controller.signal,
      });
    } finally {
      await session.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    await sandboxes.close();
  }
  // Guest text never reaches a terminal raw, and no line of it can pass for roma's own: stderr (where
  // roma's status goes) always gets it cleaned and marked; stdout only on a terminal (a pipe gets the data).
  process.stdout.write(process.stdout.isTTY ? guestLines(result.stdout) : result.stdout);
  process.stderr.write(guestLines(result.stderr));
  const status = result.stoppedBy
    ? `stopped by ${result.stoppedBy} (exit ${result.exitCode})`
    : `exit ${result.exitCode}`;
  const files = result.filesCreated.length > 0 ? `; files: ${result.filesCreated.join(', ')}` : '';
  process.stderr.write(`roma: ${provider}: ${status} in ${Math.round(result.durationMs)} ms${files}\n`);
  if (result.stoppedBy && result.exitCode === 0) return 124;
  return result.exitCode === 0 ? 0 : Math.min(Math.max(result.exitCode, 1), 255);
}

function readProgram(file: string): string {
  try {
    const buffer = readFileSync(file === '-' ? 0 : file);
    if (buffer.length > MAX_PROGRAM_BYTES) {
      throw new RomaError('VALIDATION_FAILED', `program is larger than ${MAX_PROGRAM_BYTES} bytes`, {
        field: 'file',
      });
    }
    return buffer.toString('utf8');
  } catch (error) {
    if (error instanceof RomaError) throw error;
    throw new RomaError('NOT_FOUND', `cannot read program ${file}: ${(error as Error).message}`, {
      field: 'file',
    });
  }
}

function languageOf(file: string): CodeLanguage | undefined {
  switch (extname(file).toLowerCase()) {
    case '.py':
      return 'python';
    case '.ts':
    case '.mts':
      return 'typescript';
    case '.js':
    case '.mjs':
    case '.cjs':
      return 'javascript';
    default:
      return undefined;
  }
}

function parseLanguage(value: string): CodeLanguage {
  const parsed = parseWith(CodeLanguageSchema, value, 'language');
  if (!parsed.ok) {
    throw new RomaError('VALIDATION_FAILED', `unknown language "${value}"`, {
      field: 'language',
      fix: 'use typescript, javascript or python',
    });
  }
  return parsed.value;
}

function parseProvider(value: string): SandboxProviderName {
  const parsed = parseWith(SandboxProviderSchema, value, 'provider');
  if (!parsed.ok) {
    throw new RomaError('VALIDATION_FAILED', `unknown sandbox provider "${value}"`, {
      field: 'provider',
      fix: `use one of: ${SANDBOX_PROVIDERS.join(', ')}`,
    });
  }
  return parsed.value;
}

function parseTimeout(value: string): number {
  const timeoutMs = Number(value);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new RomaError('VALIDATION_FAILED', `--timeout-ms must be a positive integer, got "${value}"`, {
      field: 'timeoutMs',
    });
  }
  return timeoutMs;
}

const ICONS: Record<SelfTestStep['status'], string> = { pass: '✓', fail: '✗', warn: '⚠' };

function box(lines: string[]): string {
  const width = Math.max(41, ...lines.map((line) => [...line].length + 2));
  const pad = (line: string) => `│ ${line}${' '.repeat(width - 1 - [...line].length)}│`;
  return [`┌${'─'.repeat(width)}┐`, ...lines.map(pad), `└${'─'.repeat(width)}┘`].join('\n');
}

/** The seed's boxed report: a title box, steps grouped by provider, and a results box. */
function renderSelfTestReport(report: SelfTestReport): string {
  const out: string[] = [box(['Sandbox Validation', 'roma sandbox test: isolate, process, daytona']), ''];
  let provider: string | undefined;
  let stepNumber = 0;
  for (const step of report.steps) {
    if (step.provider !== provider) {
      provider = step.provider;
      stepNumber = 0;
      out.push(`${provider}`);
    }
    stepNumber++;
    const timing = step.durationMs >= 1 ? ` (${Math.round(step.durationMs)} ms)` : '';
    out.push(`  Step ${stepNumber}: ${step.name}`);
    out.push(`  ${ICONS[step.status]} ${step.detail}${timing}`);
    if (step.fix && step.status !== 'pass') out.push(`    fix: ${step.fix}`);
  }
  out.push('', '═'.repeat(43));
  out.push(
    box([
      'Test Results',
      '',
      `✓ Passed: ${report.passed}`,
      `✗ Failed: ${report.failed}`,
      `⚠ Warnings: ${report.warned}`,
      '',
      `Status: ${report.ok ? 'PASSED' : 'FAILED'}`,
    ]),
  );
  return `${out.join('\n')}\n`;
}
