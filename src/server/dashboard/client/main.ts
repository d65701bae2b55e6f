// The dashboard: runs list, a run's live task tree (WebSocket, reconnect and catch up), node detail, replay, controls.
import type { ExecutionSummary, StreamEvent } from '../../../contracts/index.js';
import { ApiError, api, download, storedKey, storeKey, streamSocket } from './api-client.js';
import { eventsOfTask, foldRun, type RunState } from './run-view.js';
import { drawTree } from './tree-graph.js';

interface Health {
  demo: boolean;
  demoGoal?: string;
  authRequired: boolean;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const RECONNECT_DELAY_MS = 1_000;

let selectedRun: string | null = null;
let selectedTask: string | null = null;
let events: StreamEvent[] = [];
let socket: WebSocket | null = null;
let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
/** Null: follow the live end of the log; a number: the replay slider's seq. */
let replaySeq: number | null = null;
let drawPending = false;

function say(message: string, kind: 'info' | 'error' = 'info'): void {
  const line = $('message');
  line.textContent = message;
  line.className = kind;
}

function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

function age(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

function cell(row: HTMLTableRowElement, text: string, className?: string): void {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
}

async function refreshRuns(): Promise<void> {
  try {
    const page = await api<{ items: ExecutionSummary[] }>('/api/v1/executions?limit=50');
    const table = $<HTMLTableElement>('run-list');
    table.replaceChildren();
    for (const run of page.items) {
      const row = table.insertRow();
      row.dataset.runId = run.id;
      row.className = `run ${run.id === selectedRun ? 'selected' : ''}`;
      cell(row, run.status, `status status-${run.status}`);
      cell(row, run.goal.length > 48 ? `${run.goal.slice(0, 47)}…` : run.goal);
      cell(row, formatCost(run.usage.costUsd));
      cell(row, age(run.createdAt));
      row.addEventListener('click', () => selectRun(run.id));
    }
  } catch (error) {
    handleError(error);
  }
}

function handleError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) {
    $('key-panel').hidden = false;
    say('an API key is needed: enter one of ROMA_API_KEYS', 'error');
    return;
  }
  say(error instanceof Error ? error.message : String(error), 'error');
}

function setConnection(state: 'live' | 'reconnecting' | 'closed'): void {
  const badge = $('connection');
  badge.textContent = state;
  badge.dataset.state = state;
}

function connect(executionId: string): void {
  clearTimeout(reconnectTimer);
  const after = events.at(-1)?.seq ?? 0;
  const current = streamSocket(executionId, after);
  socket = current;
  current.onopen = () => setConnection('live');
  current.onmessage = (message) => {
    if (socket !== current) return;
    const event = JSON.parse(String(message.data)) as StreamEvent;
    // Gap-free by seq: anything at or below what we hold is a duplicate and is ignored.
    const last = events.at(-1)?.seq ?? 0;
    if (event.seq <= last) return;
    events.push(event);
    if (event.type === 'execution-end') void refreshRuns();
    scheduleDraw();
  };
  current.onclose = (close) => {
    if (socket !== current) return;
    socket = null;
    if (selectedRun !== executionId) return;
    setConnection('reconnecting');
    if (close.reason) say(`stream closed: ${close.reason}; catching up`, 'info');
    reconnectTimer = setTimeout(() => connect(executionId), RECONNECT_DELAY_MS);
  };
}

/** For tests and people on flaky networks: cut the stream; it reconnects after the last seq it holds. */
function dropConnection(): void {
  socket?.close(4000, 'dropped from the dashboard');
}

function selectRun(executionId: string): void {
  if (socket) {
    const old = socket;
    socket = null;
    old.close();
  }
  selectedRun = executionId;
  selectedTask = null;
  replaySeq = null;
  events = [];
  $('run-panel').hidden = false;
  // The previous run's tree must not stay clickable while the new one's log arrives.
  $('graph').replaceChildren();
  $('detail').replaceChildren();
  connect(executionId);
  scheduleDraw();
  void refreshRuns();
}

function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
  });
}

function draw(): void {
  const lastSeq = events.at(-1)?.seq ?? 0;
  const slider = $<HTMLInputElement>('seq-slider');
  slider.max = String(lastSeq);
  const upTo = replaySeq ?? lastSeq;
  if (replaySeq === null) slider.value = String(lastSeq);
  $('seq-label').textContent =
    replaySeq === null ? `live · seq ${lastSeq}` : `replay · seq ${upTo} of ${lastSeq}`;
  const state = foldRun(events, upTo);
  $('run-goal').textContent = state.tree.goal ?? selectedRun ?? '';
  const status = state.totals.status ?? 'RUNNING';
  const statusBadge = $('run-status');
  statusBadge.textContent = status;
  statusBadge.className = `status status-${status}`;
  $<HTMLButtonElement>('cancel').disabled = status !== 'RUNNING';
  $<HTMLButtonElement>('resume').disabled = status === 'RUNNING' || status === 'COMPLETED';
  drawTotals(state);
  drawTree($('graph') as unknown as SVGSVGElement, state, selectedTask, (taskId) => {
    selectedTask = taskId;
    scheduleDraw();
  });
  drawDetail(state, upTo);
}

function drawTotals(state: RunState): void {
  const totals = state.totals;
  const items: Array<[string, string]> = [
    ['tasks', `${totals.nodes} (${totals.completed} done, ${totals.failed} failed)`],
    ['depth', String(totals.maxDepth)],
    ['model calls', `${totals.modelCalls} (${totals.cacheHits} cached)`],
    ['tokens', `${totals.usage.inputTokens} in / ${totals.usage.outputTokens} out`],
    ['cost', formatCost(totals.usage.costUsd)],
    ['time', `${(totals.durationMs / 1000).toFixed(1)} s`],
  ];
  const list = $('totals');
  list.replaceChildren();
  for (const [name, value] of items) {
    const item = document.createElement('span');
    item.className = 'total';
    const label = document.createElement('b');
    label.textContent = `${name} `;
    item.append(label, value);
    list.append(item);
  }
}

function section(title: string, body: string | Node, className?: string): HTMLElement {
  const wrapper = document.createElement('section');
  const heading = document.createElement('h3');
  heading.textContent = title;
  wrapper.append(heading);
  if (typeof body === 'string') {
    const pre = document.createElement('pre');
    pre.textContent = body;
    if (className) pre.className = className;
    wrapper.append(pre);
  } else wrapper.append(body);
  return wrapper;
}

function drawDetail(state: RunState, upTo: number): void {
  const panel = $('detail');
  panel.replaceChildren();
  const node = selectedTask ? state.tree.nodes.get(selectedTask) : undefined;
  if (!node || !selectedRun) {
    const hint = document.createElement('p');
    hint.textContent = 'Click a task to see its prompt, output, code and tool calls.';
    panel.append(hint);
    return;
  }
  const runId = selectedRun;
  panel.dataset.taskId = node.id;
  panel.append(
    section(
      `${node.taskType} task ${node.id} · ${node.status}`,
      `tokens ${node.usage.inputTokens} in / ${node.usage.outputTokens} out · ${formatCost(node.usage.costUsd)}`,
    ),
  );
  panel.append(section('prompt (goal)', node.goal, 'prompt'));
  panel.append(
    section(
      'output',
      node.result ?? (node.error ? `${node.error.code}: ${node.error.message}` : '(not yet)'),
      'output',
    ),
  );
  const own = eventsOfTask(events, node.id, upTo);
  for (const event of own) {
    if (event.type === 'code-execution-start') {
      panel.append(
        section(
          `program (${event.language}, iteration ${event.iteration}, ${event.provider})`,
          event.code,
          'code',
        ),
      );
    } else if (event.type === 'code-execution-end') {
      panel.append(
        section(
          `stdout (exit ${event.exitCode}, ${Math.round(event.durationMs)} ms${event.truncated ? ', truncated' : ''})`,
          event.stdout || '(empty)',
          'stdout',
        ),
      );
      if (event.stderr) panel.append(section('stderr', event.stderr, 'stderr'));
    }
  }
  const tools = own.filter((event) => event.type === 'tool-call');
  if (tools.length > 0) {
    const list = document.createElement('ul');
    list.className = 'tool-calls';
    for (const call of tools) {
      if (call.type !== 'tool-call') continue;
      const item = document.createElement('li');
      item.textContent = `${call.server}.${call.tool} — ${call.ok ? 'ok' : `failed: ${call.error ?? ''}`} · ${call.resultBytes} bytes · ${Math.round(call.durationMs)} ms`;
      list.append(item);
    }
    panel.append(section(`tool calls (${tools.length})`, list));
  }
  if (node.artifacts.length > 0) {
    const list = document.createElement('ul');
    for (const artifact of node.artifacts) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.textContent = `${artifact.name} (${artifact.mimeType}, ${artifact.bytes} bytes)`;
      button.addEventListener('click', () => {
        void download(
          `/api/v1/executions/${encodeURIComponent(runId)}/artifacts/${encodeURIComponent(artifact.name)}?taskId=${encodeURIComponent(node.id)}`,
          artifact.name,
        ).catch(handleError);
      });
      item.append(button);
      list.append(item);
    }
    panel.append(section('artifacts', list));
  }
}

async function start(event: Event): Promise<void> {
  event.preventDefault();
  const goal = $<HTMLInputElement>('goal').value.trim();
  if (!goal) return say('enter a goal', 'error');
  try {
    const accepted = await api<{ id: string }>('/api/v1/executions', {
      method: 'POST',
      body: JSON.stringify({ goal }),
    });
    say(`started ${accepted.id}`);
    selectRun(accepted.id);
  } catch (error) {
    handleError(error);
  }
}

async function control(action: 'cancel' | 'resume'): Promise<void> {
  if (!selectedRun) return;
  try {
    await api(`/api/v1/executions/${encodeURIComponent(selectedRun)}/${action}`, {
      method: 'POST',
      body: '{}',
    });
    say(`${action} requested for ${selectedRun}`);
    // A resumed run appends a new segment: make sure the stream is (re)open.
    if (action === 'resume' && !socket) connect(selectedRun);
    void refreshRuns();
  } catch (error) {
    handleError(error);
  }
}

async function boot(): Promise<void> {
  const health = (await (await fetch('/health')).json()) as Health;
  if (health.demo) {
    $('demo').textContent = 'DEMO: scripted model, offline, costs illustrative';
    $<HTMLInputElement>('goal').value = health.demoGoal ?? '';
  }
  if (health.authRequired && !storedKey()) $('key-panel').hidden = false;
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    storeKey($<HTMLInputElement>('api-key').value.trim());
    $('key-panel').hidden = true;
    say('key kept for this tab');
    void refreshRuns();
  });
  $('start-form').addEventListener('submit', (event) => void start(event));
  $('cancel').addEventListener('click', () => void control('cancel'));
  $('resume').addEventListener('click', () => void control('resume'));
  $('drop').addEventListener('click', dropConnection);
  $<HTMLInputElement>('seq-slider').addEventListener('input', (event) => {
    const value = Number((event.target as HTMLInputElement).value);
    const last = events.at(-1)?.seq ?? 0;
    replaySeq = value >= last ? null : value;
    scheduleDraw();
  });
  $('live').addEventListener('click', () => {
    replaySeq = null;
    scheduleDraw();
  });
  await refreshRuns();
  setInterval(() => void refreshRuns(), 3_000);
  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (fromHash) selectRun(fromHash);
}

void boot().catch(handleError);
