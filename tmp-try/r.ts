import { createProcessSandbox } from '../src/sandbox/process/process-sandbox.js';
const sb = createProcessSandbox({ poolSize: 0 });
const s = await sb.openSession();
const show = (r: any) => console.log(JSON.stringify(r).slice(0, 600));
show(await s.run('import sys\nsys.setrecursionlimit(10**9)\ndef down(n):\n    return down(n + 1)\ndown(0)', { timeoutMs: 10000 }));
show(await s.run('open("/etc/x","w")'));
show(await s.run('open("/tmp/x","w").write("a"); print(open("/tmp/x").read())'));
await s.close(); await sb.close();
