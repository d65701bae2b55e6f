// The code agent's prompts: a system prompt with one summary line a tool server, and the task message.
import type { PTCExecutionPlan } from '../../contracts/index.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';
import { serverSummary } from '../modules/tool-docs.js';
import {
  catalogToolCount,
  DEFAULT_SEARCH_RESULTS,
  TOOL_SEARCH_THRESHOLD,
  usesToolSearch,
} from '../modules/tool-search.js';
import { READ_TOOL_DOC_FUNCTION } from '../modules/typescript-module.js';

function languageRules(plan: PTCExecutionPlan): string[] {
  if (plan.language === 'python') {
    return [
      'Python 3; print with print(); the working directory is the workspace. Files for the user go under results/ (e.g. open("results/report.csv", "w")).',
      'Tool functions are synchronous; run independent calls in parallel with a thread pool, e.g. `from concurrent.futures import ThreadPoolExecutor` then `with ThreadPoolExecutor(16) as pool: items = list(pool.map(lambda item_id: server.get_item(id=item_id), ids))` (up to 64 threads).',
    ];
  }
  return [
    `${plan.language === 'typescript' ? 'TypeScript' : 'JavaScript'} in a QuickJS sandbox: top-level await works; no process, require, fs, fetch or network. Print with console.log; run independent tool calls in parallel with Promise.all.`,
    "Files for the user go under results/: workspace.writeFile('results/report.csv', text) (text only); workspace.readFile(path) reads one back.",
  ];
}

function resourceRules(plan: PTCExecutionPlan): string[] {
  const wait = plan.language === 'python' ? '' : 'await ';
  return [
    `Binary results (images, audio, resources) come as { text, content: [parts] } with base64 \`data\` (or \`blob\`) and \`mimeType\`; \`${wait}saveBase64('results/<name>', base64)\` saves one. Server resources: \`${wait}listResources('<server>')\`, \`${wait}readResource('<server>', uri)\` (a list of parts).`,
  ];
}

/** Opens the tools part of the system prompt (the benchmark splits the prompt there). */
export const TOOLS_HEADING = 'Tools (MCP servers;';

export function codeSystemPrompt(
  plan: PTCExecutionPlan,
  catalog: ToolCatalog,
  toolSearchThreshold = TOOL_SEARCH_THRESHOLD,
): string {
  const fence = plan.language === 'python' ? 'python' : plan.language;
  const wait = plan.language === 'python' ? '' : 'await ';
  const lines = [
    'You are PTC, a code agent: you solve the task by writing programs that run in a sandbox, and you see only what they print.',
    `- To run code, reply with exactly one fenced block (\`\`\`${fence} … \`\`\`): its output comes back to you. Once you know the answer, reply \`FINAL ANSWER:\` and the answer (no code block).`,
    `- At most ${plan.limits.maxIterations} runs; output beyond ${plan.limits.maxOutputChars} characters is cut. Print only what matters (aggregates, counts, ids, short excerpts), never whole tool results.`,
    ...languageRules(plan).map((rule) => `- ${rule}`),
  ];
  if (plan.enableTesting) {
    lines.push(
      `- With your program, also write a test in a second block tagged test (\`\`\`${fence} test … \`\`\`). It runs after the program in the same session and must throw (or exit non-zero) when the program's result is wrong.`,
    );
  }
  if (catalog.servers.length > 0) {
    const search = usesToolSearch(catalog, toolSearchThreshold);
    const module = plan.language === 'python' ? 'tools/<server>.py' : 'tools/<server>.ts';
    lines.push(
      '',
      `${TOOLS_HEADING} each tool is ${plan.language === 'python' ? 'a' : 'an async'} function taking one object of arguments and returning its JSON result; a failing tool throws the server's message):`,
      ...catalog.servers.map((server) => serverSummary(server, plan.language, !search)),
      ...(search
        ? [
            `There are ${catalogToolCount(catalog)} tools, too many to list: find the ones you need with \`${wait}searchTools('<what you need>')\` — the best matches as { server, call, name, description } (\`call\` is what to call in code; an optional second argument sets how many, default ${DEFAULT_SEARCH_RESULTS}).`,
          ]
        : []),
      ...(catalog.unavailable ?? []).map((entry) => `- ${entry.name}: unavailable right now; do not use it`),
      `Read a tool's doc before using it unless its arguments are obvious: \`${wait}${READ_TOOL_DOC_FUNCTION}('<server>', '<tool>')\`; typed modules: ${module}.`,
      ...resourceRules(plan),
    );
  }
  return lines.join('\n');
}

export function taskMessage(plan: PTCExecutionPlan): string {
  const parts = [`Task: ${plan.goal}`];
  if (plan.context.length > 0) {
    parts.push(
      '',
      'Results of earlier tasks you may use:',
      ...plan.context.map(
        (entry) => `- [${entry.taskId}] ${entry.goal}\n  ${entry.result.replace(/\n/g, '\n  ')}`,
      ),
    );
  }
  const feedback = plan.metadata.feedback;
  if (typeof feedback === 'string' && feedback)
    parts.push('', `A reviewer rejected an earlier attempt: ${feedback}`);
  return parts.join('\n');
}

export const LAST_TURN_NOTE = 'You have no runs left. Reply now with FINAL ANSWER: and the answer.';
