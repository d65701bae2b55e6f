// Runs the ExecutionStore conformance suite against SQLite files in a temp dir, plus SQLite-only checks.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeExecutionStoreConformance } from './execution-store.conformance.js';
import { SQLITE_FILE_NAME, SqliteExecutionStore } from './sqlite-execution-store.js';
import { warningEvent } from './testing/test-events.js';

describeExecutionStoreConformance('SQLite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-sqlite-store-'));
  return {
    open: async () => SqliteExecutionStore.open({ dataDir }),
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

/** Another process that opens the SQLite store on `dataDir` as `store` and runs `script` (an ES module body). */
function spawnStoreScript(script: string, dataDir: string) {
  const module = `
      const { SqliteExecutionStore } = await import(process.env.STORE_MODULE);
      const store = SqliteExecutionStore.open({ dataDir: process.env.DATA_DIR });
${script}`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', module], {
    env: {
      ...process.env,
      STORE_MODULE: fileURLToPath(new URL('./sqlite-execution-store.ts', import.meta.url)),
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

describe('SqliteExecutionStore', () => {
  it('creates the data dir, uses WAL with fsync at commit, and migrates once across opens', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'roma-sqlite-open-')), 'nested', '.roma');
    try {
      const stores = [SqliteExecutionStore.open({ dataDir }), SqliteExecutionStore.open({ dataDir })];
      expect(stores[0]!.filePath).toBe(join(dataDir, SQLITE_FILE_NAME));
      for (const store of stores) await store.close();

      const raw = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(raw.prepare('SELECT version FROM migrations ORDER BY version').all()).toEqual([
          { version: 1 },
          { version: 2 },
        ]);
      } finally {
        raw.close();
      }
    } finally {
      rmSync(join(dataDir, '..', '..'), { recursive: true, force: true });
    }
  });

  it('commits the appends of one event-loop turn together, and awaited ones one by one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-sqlite-group-'));
    const store = SqliteExecutionStore.open({ dataDir });
    try {
      await store.createExecution({ id: 'group', goal: 'share commits' });
      const warning = (message: string) => warningEvent('group', message);
      const before = store.appendCommitStats;
      // Positive control: each awaited append is its own commit.
      for (let index = 0; index < 3; index += 1) await store.append(warning(`awaited ${index}`));
      const awaited = store.appendCommitStats;
      expect(awaited.commits - before.commits).toBe(3);
      const together = await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.append(warning(`together ${index}`))),
      );
      const after = store.appendCommitStats;
      expect(after.commits - awaited.commits).toBe(1);
      expect(after.items - awaited.items).toBe(20);
      expect(together.map((event) => event.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 4));
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps every append a killed (-9) writer process had been told was stored', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-sqlite-crash-'));
    // The child appends until killed, printing each seq once append() has resolved.
    const script = `
      await store.createExecution({ id: 'crash', goal: 'survive kill -9' });
      for (let index = 0; index < 100000; index += 1) {
        const event = await store.append({
          type: 'warning', executionId: 'crash', timestamp: new Date().toISOString(),
          taskId: null, code: 'TEST', message: 'event ' + index,
        });
        process.stdout.write('acked ' + event.seq + '\\n');
      }`;
    const child = spawnStoreScript(script, dataDir);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let lastAcked = 0;
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        lastAcked = Number(line.replace('acked ', ''));
        if (lastAcked >= 200) {
          child.kill('SIGKILL');
          break;
        }
      }
      await exited;
      expect(lastAcked).toBeGreaterThanOrEqual(200);
      const store = SqliteExecutionStore.open({ dataDir });
      try {
        const seqs = (await store.readEvents('crash')).map((event) => event.seq);
        expect(seqs.length).toBeGreaterThanOrEqual(lastAcked);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
        expect((await store.getExecution('crash'))?.lastSeq).toBe(seqs.length);
      } finally {
        await store.close();
      }
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('lets a process that appended and never closed the store exit by itself', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-sqlite-exit-'));
    // The append worker is referenced only while a batch is in flight: idle, it keeps nobody alive.
    const script = `
      await store.createExecution({ id: 'open', goal: 'never closed' });
      const event = await store.append({
        type: 'warning', executionId: 'open', timestamp: new Date().toISOString(),
        taskId: null, code: 'TEST', message: 'one',
      });
      process.stdout.write('acked ' + event.seq + '\\n');`;
    const child = spawnStoreScript(script, dataDir);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
      );
      expect({ code, signal, output }).toEqual({ code: 0, signal: null, output: 'acked 1\n' });
      const store = SqliteExecutionStore.open({ dataDir });
      try {
        expect((await store.readEvents('open')).map((event) => event.seq)).toEqual([1]);
      } finally {
        await store.close();
      }
    } finally {
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('skips a runner beat at once while another connection holds the write lock, instead of blocking', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-sqlite-beat-'));
    const store = SqliteExecutionStore.open({ dataDir });
    const holder = new Database(join(dataDir, SQLITE_FILE_NAME));
    try {
      await store.createExecution({ id: 'busy', goal: 'g' });
      holder.exec('BEGIN IMMEDIATE');
      const startedMs = performance.now();
      const refused = await store.beat('busy', { runnerId: 'r', intervalMs: 1_000 }).then(
        () => null,
        (error: unknown) => error,
      );
      // The store's busy timeout is 5 s: a beat that waited for the lock would take that long.
      expect(performance.now() - startedMs).toBeLessThan(2_000);
      expect(refused).toMatchObject({ code: 'STORE_FAILED', retryable: true });
      holder.exec('COMMIT');
      // Positive control: with the lock free the same beat is written.
      await store.beat('busy', { runnerId: 'r', intervalMs: 1_000 });
      expect(await store.lastBeat('busy')).toMatchObject({ runnerId: 'r' });
    } finally {
      holder.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('fails to open an unusable path with STORE_FAILED and the setting to fix', () => {
    const blocker = join(mkdtempSync(join(tmpdir(), 'roma-sqlite-bad-')), 'file');
    rmSync(blocker, { force: true });
    Database(blocker).close();
    try {
      SqliteExecutionStore.open({ dataDir: join(blocker, 'under-a-file') });
      expect.unreachable('opening under a file must fail');
    } catch (error) {
      expect(error).toMatchObject({ code: 'STORE_FAILED' });
      expect((error as Error & { fix?: string }).fix).toContain('store.dataDir');
    } finally {
      rmSync(join(blocker, '..'), { recursive: true, force: true });
    }
  });
});
