// Source of the Node runner inside the bubblewrap sandbox: same fd 3/4 JSON-lines protocol as the Python
// runner; programs run as async functions (top-level await), state persists only through globalThis.

export const NODE_RUNNER = String.raw`
'use strict';
const fs = require('node:fs');
const readline = require('node:readline');
const vm = require('node:vm');

// Descriptors above the protocol's 4 that survived exec were inherited by the host from its own parent (a
// CI runner's pipe, a shell redirection): bubblewrap passes them through. Node opens its own with
// close-on-exec (O_CLOEXEC is 02000000 in fdinfo's octal flags), so one without it is never Node's.
for (const name of fs.readdirSync('/proc/self/fd')) {
  const fd = Number(name);
  if (!(fd > 4)) continue;
  try {
    const flags = /flags:\s*([0-7]+)/.exec(fs.readFileSync('/proc/self/fdinfo/' + name, 'utf8'));
    if (flags && (parseInt(flags[1], 8) & 0o2000000) === 0) fs.closeSync(fd);
  } catch {}
}

// Programs may use Node's modules (fs for the workspace); bubblewrap, not Node, is the boundary here.
globalThis.require = require;
const pending = new Map();
const programs = [];
let wakeProgramLoop = null;
let nextCallId = 1;

function send(message) {
  fs.writeSync(4, JSON.stringify(message) + '\n');
}

function callHost(name, args) {
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    pending.set(callId, { resolve, reject });
    send({ type: 'host-call', callId, name, argsJson: JSON.stringify(args) });
  });
}

function installHostFunctions(names) {
  for (const name of names) {
    const parts = name.split('.');
    let target = globalThis;
    for (const part of parts.slice(0, -1)) {
      if (typeof target[part] !== 'object' || target[part] === null) target[part] = {};
      target = target[part];
    }
    target[parts[parts.length - 1]] = (...args) => callHost(name, args);
  }
}

function writeAll(stream, text) {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

async function run(message) {
  let exitCode = 0;
  try {
    process.chdir('/workspace');
    const source = '(async () => {' + message.code + '\n})()';
    await vm.runInThisContext(source, { filename: 'program.js' });
  } catch (error) {
    exitCode = 1;
    const text = error && error.stack ? String(error.stack) : String(error);
    await writeAll(process.stderr, text.split('\n').slice(0, 9).join('\n') + '\n');
  }
  const marker = '\u0000' + message.nonce + '\u0000';
  await writeAll(process.stdout, marker);
  await writeAll(process.stderr, marker);
  send({ type: 'done', id: message.id, exitCode, errorType: null });
}

async function loop() {
  for (;;) {
    while (programs.length === 0) await new Promise((resolve) => (wakeProgramLoop = resolve));
    const message = programs.shift();
    if (message === null) process.exit(0);
    if (message.type === 'init') {
      installHostFunctions(message.hostFunctions || []);
      send({ type: 'initialized' });
    } else if (message.type === 'run') {
      await run(message);
    }
  }
}

const lines = readline.createInterface({ input: fs.createReadStream(null, { fd: 3 }) });
lines.on('line', (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message.type === 'host-result') {
    const slot = pending.get(message.callId);
    if (!slot) return;
    pending.delete(message.callId);
    if (message.ok) slot.resolve(JSON.parse(message.payload));
    else {
      const error = new Error(String(message.payload));
      error.name = 'HostFunctionError';
      slot.reject(error);
    }
    return;
  }
  programs.push(message);
  if (wakeProgramLoop) wakeProgramLoop();
});
lines.on('close', () => {
  programs.push(null);
  if (wakeProgramLoop) wakeProgramLoop();
});
process.on('unhandledRejection', (error) => {
  process.stderr.write('unhandled rejection: ' + (error && error.stack ? error.stack : String(error)) + '\n');
});
send({ type: 'ready' });
loop();
`;
