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

function languageRules(plan: PTCExecutionPlan): string[] {
  if (plan.language === 'python') {
    return [
      'Write Python 3. Print results with print(). The working directory is the workspace.',
      'Write files for the user under results/ (e.g. open("results/report.csv", "w")).',
      'Tool functions are synchronous; run independent calls in parallel with a thread pool, e.g. `from concurrent.futures import ThreadPoolExecutor` then `with ThreadPoolExecutor(16) as pool: items = list(pool.map(lambda item_id: server.get_item(id=item_id), ids))` (up to 64 threads).',
    ];
  }
  return [
    `Write ${plan.language === 'typescript' ? 'TypeScript' : 'JavaScript'} for a QuickJS sandbox: top-level await works; there is no process, require, fs, fetch or network.`,
    'Print results with console.log. Run independent tool calls in parallel with Promise.all.',
    "Write files for the user under results/ with workspace.writeFile('results/report.csv', text) (text only); workspace.readFile(path) reads one back.",
  ];
}

function resourceRules(plan: PTCExecutionPlan): string[] {
  const wait = plan.language === 'python' ? '' : 'await ';
  return [
    `A result with images, audio or resources is { text, content: [parts] }; a binary part carries base64 \`data\` (a resource: \`blob\`) and \`mimeType\`. Save binary under results/ with \`${wait}saveBase64('results/<name>', base64)\`. Server resources: \`${wait}listResources('<server>')\`, \`${wait}readResource('<server>', uri)\` (a list of parts).`,
  ];
}

export function codeSystemPrompt(
  plan: PTCExecutionPlan,
  catalog: ToolCatalog,
  toolSearchThreshold = TOOL_SEARCH_THRESHOLD,
): string {
  const fence = plan.language === 'python' ? 'python' : plan.language;
  const lines = [
    'You are PTC, a code agent. You solve the task by writing a program that runs in a sandbox; you see only what it prints.',
    '',
    'How to answer:',
    `- To run code, reply with exactly one fenced block: \`\`\`${fence} … \`\`\`. Its output comes back to you.`,
    '- When you know the answer, reply with `FINAL ANSWER:` followed by the answer (no code block).',
    `- You have at most ${plan.limits.maxIterations} runs. Output beyond ${plan.limits.maxOutputChars} characters is cut.`,
    '- Print only what matters: aggregates, counts, ids and short excerpts — never whole tool results.',
    ...languageRules(plan).map((rule) => `- ${rule}`),
  ];
  if (plan.enableTesting) {
    lines.push(
      `- With your program, also write a test in a second block tagged test (\`\`\`${fence} test … \`\`\`). It runs after the program in the same session and must throw (or exit non-zero) when the program's result is wrong.`,
    );
  }
  if (catalog.servers.length > 0) {
    const search = usesToolSearch(catalog, toolSearchThreshold);
    lines.push(
      '',
      "Tools (MCP servers; each tool is an async function taking one object of arguments, returning its JSON result; a failing tool throws with the server's message):",
      ...catalog.servers.map((server) => serverSummary(server, plan.language, !search)),
      ...(search
        ? [
            `There are ${catalogToolCount(catalog)} tools, too many to list: find the ones you need with \`${plan.language === 'python' ? '' : 'await '}searchTools('<what you need>')\` — the best matches as { server, call, name, description } (\`call\` is what to call in code; an optional second argument sets how many, default ${DEFAULT_SEARCH_RESULTS}).`,
          ]
        : []),
      ...(catalog.unavailable ?? []).map((entry) => `- ${entry.name}: unavailable right now; do not use it`),
      "Typed modules are in the workspace under tools/ (tools/<server>.ts, tools/<server>.py, tools/<server>/<tool>.md). Read a tool's doc before using it unless its arguments are obvious; readToolDoc takes the tool's name as shown or as the server spells it.",
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
