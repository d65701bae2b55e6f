// ptc-tokens: tokens that enter the model's context per task, direct tool calling vs programmatic (code) mode.
//
// Made honest (issue 14): the code-mode model reads the doc of each tool it uses, then makes one realistic
// mistake (it treats the first tool's result as a list) that the next turn fixes, then answers. Direct mode
// sends its tool definitions with every step and gets every tool result whole. Tokens are counted with a real
// tokenizer (o200k_base, gpt-tokenizer) over what each request carries — system prompt, messages, tool calls,
// tool results and, in direct mode, the tool definitions — with characters/4 beside it. Each answer is checked
// against a ground truth computed from the data independently. Small-result tasks show where code mode costs
// more (the crossover); one task runs on the published server-filesystem over generated CSV files; and the
// prompt of a 200-tool catalog is measured with and without tool search.
// `npm run bench -- ptc-tokens [--quick]` (BENCH_QUICK=1 too): the quick mode runs four tasks (CI).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { PTCExecutionPlanSchema } from '../src/contracts/index.js';
import { generateSalesData } from '../src/dev/sales-server/index.js';
import type { ScriptedRequest, ScriptedRule } from '../src/dev/scripted-model/index.js';
import { codeSystemPrompt } from '../src/ptc/agent/prompt.js';
import { McpManager } from '../src/ptc/index.js';
import type { ToolCatalog } from '../src/ptc/modules/tool-catalog.js';
import { dataServerConfig, filesystemServerConfig, wideCatalog } from '../test/support/mcp-servers/index.js';
import { codeReply, conversationRule, startPtcHarness } from '../test/support/ptc/harness.js';
import {
  CODE_PARTS,
  type CodeBreakdown,
  cacheablePrefixTokens,
  codeBreakdown,
  DIRECT_PARTS,
  type DirectBreakdown,
  directBreakdown,
  emptyCodeBreakdown,
} from './support-ptc-tokens-breakdown.js';
import { type BenchTask, type GeneratedFiles, QUICK_TASKS, TASKS } from './support-ptc-tokens-tasks.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const tasks = quick ? TASKS.filter((task) => QUICK_TASKS.includes(task.name)) : TASKS;

/** Daily sales CSVs for the filesystem task (deterministic). */
function generateFiles(directory: string, fileCount: number): GeneratedFiles {
  const rows: GeneratedFiles['rows'] = {};
  let seed = 11;
  const random = () => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const stores = ['berlin', 'lisbon', 'oslo', 'rome', 'vienna', 'warsaw'];
  for (let day = 1; day <= fileCount; day += 1) {
    const name = `sales-2026-03-${String(day).padStart(2, '0')}.csv`;
    const fileRows = Array.from({ length: 60 }, () => {
      const units = 1 + Math.floor(random() * 20);
      return {
        day: `2026-03-${String(day).padStart(2, '0')}`,
        store: stores[Math.floor(random() * stores.length)]!,
        units,
        usd: Math.round(units * (5 + random() * 40) * 100) / 100,
      };
    });
    rows[name] = fileRows;
    const csv = ['day,store,units,usd', ...fileRows.map((r) => `${r.day},${r.store},${r.units},${r.usd}`)];
    writeFileSync(join(directory, name), `${csv.join('\n')}\n`);
  }
  return { directory, rows };
}

type Call = (tool: string, args: Record<string, unknown>) => Promise<unknown>;

/** The task logic as a host function (bench-authored text, never model output). */
function compile(task: BenchTask, directory: string): (call: Call) => Promise<unknown> {
  return new Function('DIRECTORY', `return (${task.logic});`)(directory) as (call: Call) => Promise<unknown>;
}

/** A tool result as the direct model reads it back: JSON when it is JSON, else `{ content: text }`. */
function readBack(output: string): unknown {
  try {
    return JSON.parse(output);
  } catch {
    return { content: output };
  }
}

/**
 * Direct mode's scripted model: replays the logic against the tool results already in the conversation;
 * the calls it makes beyond them (all those issued before it must wait) are the next step's tool calls.
 */
async function directReply(task: BenchTask, directory: string, request: ScriptedRequest) {
  const results = request.toolResults.map((result) => readBack(result.output));
  const pending: Array<{ name: string; args: Record<string, unknown> }> = [];
  let index = 0;
  const call: Call = (tool, args) => {
    const position = index;
    index += 1;
    if (position < results.length) return Promise.resolve(results[position]);
    pending.push({ name: `${task.server}__${tool}`, args });
    return new Promise(() => undefined);
  };
  let answer: unknown;
  let settled = false;
  void compile(
    task,
    directory,
  )(call).then((value) => {
    answer = value;
    settled = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (settled) return { text: `FINAL ANSWER: ${JSON.stringify(answer)}` };
  return { toolCalls: pending };
}

function toolsOf(task: BenchTask): string[] {
  return [...new Set([...task.logic.matchAll(/call\('(\w+)'/g)].map((match) => match[1]!))];
}

function firstCall(task: BenchTask): string {
  const match = task.logic.match(/call\('(\w+)', (\{[^}]*\})\)/);
  return `${task.server}.${match?.[1]}(${match?.[2] ?? '{}'})`;
}

/** Code mode's three turns before the answer: read the docs, a wrong first try, the fixed program. */
function codeTurns(task: BenchTask, directory: string) {
  const prelude = `const DIRECTORY = ${JSON.stringify(directory)};\nconst call = (tool, args) => ${task.server}[tool](args);`;
  return [
    codeReply(
      toolsOf(task)
        .map((tool) => `console.log(await readToolDoc('${task.server}', '${tool}'));`)
        .join('\n'),
    ),
    // The realistic mistake: the docs give no result shape, so the model assumes a list.
    codeReply(
      `${prelude}\nconst rows = await ${firstCall(task)};\nconsole.log(rows.filter(Boolean).length);`,
    ),
    codeReply(
      `${prelude}\nconst answer = await (${task.logic})(call);\nconsole.log('ANSWER ' + JSON.stringify(answer));`,
    ),
    (report: string) => ({
      text: `FINAL ANSWER: ${report.match(/ANSWER (.*)/)?.[1] ?? 'no answer printed'}`,
    }),
  ];
}

/** What one request puts in the model's context: its text, plus the tool definitions it offers. */
function requestText(request: ScriptedRequest): string {
  const tools = (request.body.tools as unknown[] | undefined) ?? [];
  return `${request.text}\n${tools.map((tool) => JSON.stringify(tool)).join('\n')}`;
}

function contextFigures(requests: readonly ScriptedRequest[]): { tokens: number; quarterChars: number } {
  let tokens = 0;
  let chars = 0;
  for (const request of requests) {
    const text = requestText(request);
    tokens += countTokens(text);
    chars += text.length;
  }
  return { tokens, quarterChars: Math.round(chars / 4) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
const marker = (task: BenchTask) => `[bench:${task.name}]`;

const data = generateSalesData();
const root = mkdtempSync(join(tmpdir(), 'roma-bench-files-'));
const directory = join(root, 'sales');
mkdirSync(directory);
const files = generateFiles(directory, 30);

const codeRules: ScriptedRule[] = tasks.map((task) =>
  conversationRule(marker(task), codeTurns(task, directory)),
);
const directRules: ScriptedRule[] = tasks.map((task) => ({
  name: marker(task),
  match: { contains: marker(task) },
  reply: (request: ScriptedRequest) => directReply(task, directory, request),
}));

const manager = new McpManager({
  servers: { data: dataServerConfig(), files: filesystemServerConfig(root) },
});
const code = await startPtcHarness({ rules: codeRules, manager, cache: false });
const direct = await startPtcHarness({ rules: directRules, manager, cache: false, mode: 'direct' });

interface Row {
  task: string;
  small: boolean;
  toolCalls: number;
  toolResultBytes: number;
  direct: { tokens: number; quarterChars: number };
  code: { tokens: number; quarterChars: number };
  reduction: number;
  /** Code mode's requests in order, each split into its parts. */
  codeTurns: CodeBreakdown[];
  /** Tokens a prompt cache could serve (the prefix shared with the previous request), per mode. */
  cacheable: { direct: number; code: number };
  directParts: DirectBreakdown;
  directCorrect: boolean;
  codeCorrect: boolean;
}
const rows: Row[] = [];
try {
  for (const task of tasks) {
    const input = {
      goal: `${marker(task)} ${task.goal}`,
      tools: { servers: [{ name: task.server }] },
      limits: { maxIterations: 5, maxOutputChars: 20_000, tokenBudget: 5_000_000 },
    };
    const directResult = await direct.execute(input);
    const codeResult = await code.execute(input);
    if (directResult.status !== 'SUCCESS' || codeResult.status !== 'SUCCESS') {
      throw new Error(
        `${task.name}: direct ${directResult.status} ${directResult.error?.message ?? ''} / code ${codeResult.status} ${codeResult.error?.message ?? ''}`,
      );
    }
    const truth = task.truth(data, files);
    const parse = (text: string) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    };
    const directRequests = direct.model.requests.filter((r) => r.text.includes(marker(task)));
    const codeRequests = code.model.requests.filter((r) => r.text.includes(marker(task)));
    const directFigures = contextFigures(directRequests);
    const codeFigures = contextFigures(codeRequests);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    const directParts = Object.fromEntries(
      DIRECT_PARTS.map((part) => [part, sum(directRequests.map((r) => directBreakdown(r)[part]))]),
    ) as DirectBreakdown;
    const successfulCalls = codeResult.toolCalls.filter((call) => call.ok);
    rows.push({
      task: task.name,
      small: task.small === true,
      toolCalls: directResult.toolCalls.length,
      toolResultBytes: directResult.toolCalls.reduce((sum, call) => sum + call.resultBytes, 0),
      direct: directFigures,
      code: codeFigures,
      reduction: 1 - codeFigures.tokens / directFigures.tokens,
      codeTurns: codeRequests.map(codeBreakdown),
      cacheable: {
        direct: sum(cacheablePrefixTokens(directRequests)),
        code: sum(cacheablePrefixTokens(codeRequests)),
      },
      directParts,
      directCorrect: isDeepStrictEqual(parse(directResult.summary), truth),
      codeCorrect: isDeepStrictEqual(parse(codeResult.summary), truth) && successfulCalls.length > 0,
    });
  }
} finally {
  await code.close();
  await direct.close();
  await manager.close();
  rmSync(root, { recursive: true, force: true });
}

// Tool search: the prompt of a 200-tool catalog listing every name, with search, and direct mode's definitions.
const wide = wideCatalog(200);
const catalog: ToolCatalog = {
  servers: [{ name: 'work', identifier: 'work', tools: wide.map((tool) => ({ server: 'work', ...tool })) }],
};
const plan = PTCExecutionPlanSchema.parse({
  planId: 'p',
  executionId: 'e',
  taskId: 't',
  goal: 'g',
  tools: { servers: [{ name: 'work' }] },
});
const listedPromptTokens = countTokens(codeSystemPrompt(plan, catalog, Number.POSITIVE_INFINITY));
const searchPromptTokens = countTokens(codeSystemPrompt(plan, catalog));
const directDefinitionTokens = countTokens(
  wide
    .map((tool) =>
      JSON.stringify({
        type: 'function',
        function: { name: `work__${tool.name}`, description: tool.description, parameters: tool.inputSchema },
      }),
    )
    .join('\n'),
);

console.log(
  `ptc-tokens${quick ? ' (quick)' : ''}: o200k_base tokens (chars/4 in brackets) over every request of a task`,
);
console.log(
  'task                     calls  tool KB   direct tok (c/4)     code tok (c/4)   reduction  correct d/c',
);
for (const row of rows) {
  console.log(
    `${(row.task + (row.small ? '*' : '')).padEnd(24)} ${String(row.toolCalls).padStart(5)}  ${(row.toolResultBytes / 1024).toFixed(1).padStart(7)}  ${String(row.direct.tokens).padStart(8)} (${String(row.direct.quarterChars).padStart(7)})  ${String(row.code.tokens).padStart(7)} (${String(row.code.quarterChars).padStart(6)})  ${(row.reduction * 100).toFixed(1).padStart(8)}%  ${row.directCorrect ? 'yes' : 'NO'}/${row.codeCorrect ? 'yes' : 'NO'}`,
  );
}
console.log('* small-result task');

// Where code mode's tokens go: each turn's request split into its parts, summed over the data-heavy tasks.
const heavyRows = rows.filter((row) => !row.small);
const turnCount = Math.max(...heavyRows.map((row) => row.codeTurns.length));
const byTurn = Array.from({ length: turnCount }, (_, turn) => {
  const total = emptyCodeBreakdown();
  for (const row of heavyRows) for (const part of CODE_PARTS) total[part] += row.codeTurns[turn]?.[part] ?? 0;
  return total;
});
const codeBreakdownTotal = emptyCodeBreakdown();
for (const turn of byTurn) for (const part of CODE_PARTS) codeBreakdownTotal[part] += turn[part];
const breakdownLine = (label: string, parts: CodeBreakdown) =>
  `${label.padEnd(8)}${CODE_PARTS.map((part) => String(parts[part]).padStart(part.length + 2)).join('')}${String(
    CODE_PARTS.reduce((total, part) => total + parts[part], 0),
  ).padStart(8)}`;
console.log(
  `code mode's tokens by part and turn, summed over the ${heavyRows.length} data-heavy tasks (o200k_base, parts counted apart):`,
);
console.log(`${'turn'.padEnd(8)}${CODE_PARTS.map((part) => `  ${part}`).join('')}   total`);
byTurn.forEach((parts, index) => {
  console.log(breakdownLine(String(index + 1), parts));
});
console.log(breakdownLine('all', codeBreakdownTotal));
const directPartsTotal = Object.fromEntries(
  DIRECT_PARTS.map((part) => [part, heavyRows.reduce((total, row) => total + row.directParts[part], 0)]),
) as DirectBreakdown;
console.log(
  `direct mode, same tasks: ${DIRECT_PARTS.map((part) => `${part} ${directPartsTotal[part]}`).join(', ')}`,
);
const cacheable = {
  direct: heavyRows.reduce((total, row) => total + row.cacheable.direct, 0),
  code: heavyRows.reduce((total, row) => total + row.cacheable.code, 0),
};
console.log(
  `prompt-cacheable prefix (shared with the previous request; still counted above): direct ${cacheable.direct} of ${heavyRows.reduce((total, row) => total + row.direct.tokens, 0)}, code ${cacheable.code} of ${heavyRows.reduce((total, row) => total + row.code.tokens, 0)}`,
);

// Crossover: between the largest tool result where code mode lost and the smallest where it won.
const bySize = [...rows].sort((left, right) => left.toolResultBytes - right.toolResultBytes);
const losing = bySize.filter((row) => row.reduction < 0);
const winning = bySize.filter((row) => row.reduction >= 0);
const largestLoss = losing.at(-1)?.toolResultBytes;
const smallestWin = winning.find((row) => row.toolResultBytes > (largestLoss ?? -1))?.toolResultBytes;
const crossoverResultBytes =
  largestLoss !== undefined && smallestWin !== undefined
    ? Math.round(Math.sqrt(largestLoss * smallestWin))
    : null;
const heavy = rows.filter((row) => !row.small);
const heavyReductions = heavy.map((row) => row.reduction);
const summary = {
  bench: 'ptc-tokens',
  tasks: rows.length,
  medianContextReduction: round4(median(heavyReductions)),
  minContextReduction: round4(Math.min(...heavyReductions)),
  crossoverResultBytes,
  toolSearchDefinitionTokens: searchPromptTokens,
  tokenizer: 'o200k_base',
  smallTaskReductions: rows.filter((row) => row.small).map((row) => round4(row.reduction)),
  listedCatalogPromptTokens: listedPromptTokens,
  directDefinitionTokens200: directDefinitionTokens,
  correctAnswers: {
    direct: rows.filter((row) => row.directCorrect).length,
    code: rows.filter((row) => row.codeCorrect).length,
  },
  totalDirectTokens: rows.reduce((sum, row) => sum + row.direct.tokens, 0),
  totalCodeTokens: rows.reduce((sum, row) => sum + row.code.tokens, 0),
  codeBreakdown: codeBreakdownTotal,
  directBreakdown: directPartsTotal,
  cacheablePrefixTokens: cacheable,
  quick,
};
console.log(
  `data-heavy tasks: median reduction ${(summary.medianContextReduction * 100).toFixed(1)}%, min ${(summary.minContextReduction * 100).toFixed(1)}%; ` +
    `small tasks: ${summary.smallTaskReductions.map((value) => `${(value * 100).toFixed(1)}%`).join(', ')}; ` +
    `crossover ≈ ${crossoverResultBytes ?? 'n/a'} bytes of tool results`,
);
console.log(
  `200-tool catalog: code prompt listing every name ${listedPromptTokens} tokens, with tool search ${searchPromptTokens}; direct mode's definitions ${directDefinitionTokens} tokens each step`,
);
console.log(
  `answers matching the ground truth: direct ${summary.correctAnswers.direct}/${rows.length}, code ${summary.correctAnswers.code}/${rows.length}`,
);
console.log(JSON.stringify(summary));
if (summary.correctAnswers.code !== rows.length || summary.correctAnswers.direct !== rows.length)
  process.exitCode = 1;
