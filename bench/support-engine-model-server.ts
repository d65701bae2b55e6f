// The engine bench's model server in its own process: the scripted model server answering from a plan table.
// The parent sends {plans, latencyMs} to (re)configure, 'cpu' to read this process's CPU time (µs) and 'requests'
// for the bodies of the requests answered since the last configure (the critical-path baseline replays them).
import { startScriptedModelServer } from '../src/dev/scripted-model/index.js';

type Plans = Record<string, unknown[]>;
let plans: Plans = {};
let latencyMs = 0;
const goalOf = (text: string) => /^Task: (.*)$/m.exec(text)?.[1] ?? '';

const server = await startScriptedModelServer({
  rules: [
    {
      reply: (request) => {
        const text = request.text;
        const goal = goalOf(text);
        let reply: string;
        if (text.includes('ROMA atomizer.'))
          reply = JSON.stringify({ atomic: plans[goal] === undefined, reason: 'bench' });
        else if (text.includes('ROMA planner.')) reply = JSON.stringify({ subtasks: plans[goal] ?? [] });
        else if (text.includes('ROMA verifier.')) reply = JSON.stringify({ passed: true, feedback: '' });
        else reply = `answer to ${goal}`;
        return latencyMs > 0 ? { text: reply, latencyMs } : { text: reply };
      },
    },
  ],
});

process.on('message', (message: { kind: string; plans?: Plans; latencyMs?: number }) => {
  if (message.kind === 'configure') {
    plans = message.plans ?? {};
    latencyMs = message.latencyMs ?? 0;
    server.clearRequests();
    process.send?.({ kind: 'configured' });
  } else if (message.kind === 'cpu') {
    const usage = process.cpuUsage();
    process.send?.({ kind: 'cpu', micros: usage.user + usage.system, requests: server.requests.length });
  } else if (message.kind === 'requests') {
    process.send?.({
      kind: 'requests',
      requests: server.requests.map((request) => ({ text: request.text, body: request.body })),
    });
  } else if (message.kind === 'stop') {
    void server.close().then(() => process.exit(0));
  }
});
process.send?.({ kind: 'ready', openaiBaseUrl: server.openaiBaseUrl });
