// QuickJS's WebAssembly compiled once per process and handed to every worker, so a new worker skips
// compiling ~1 MB of wasm (most of an isolate's cold start).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** A compiled `WebAssembly.Module` (the project's TypeScript lib has no WebAssembly types). */
export type CompiledWasmModule = object;

const wasm = (
  globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasmModule> } }
).WebAssembly;

let compiled: Promise<CompiledWasmModule> | undefined;

export function compiledQuickJsModule(): Promise<CompiledWasmModule> {
  compiled ??= (async () => {
    // The wasm belongs to quickjs-emscripten's own dependency; resolve it from there.
    const fromQuickJs = createRequire(createRequire(import.meta.url).resolve('quickjs-emscripten'));
    const path = fromQuickJs.resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
    return wasm.compile(await readFile(path));
  })();
  compiled.catch(() => {
    compiled = undefined;
  });
  return compiled;
}
