// The solve-task registry's bounds: lifetimes clamped and expired on access, a count past which the oldest ended
// task goes, and a refusal when every slot holds a running one — on an injected clock.
import { describe, expect, it } from 'vitest';
import { RomaError } from '../contracts/index.js';
import { createSolveTaskRegistry, type SolveTaskRecord } from './task-registry.js';

function record(taskId: string, createdAtMs: number, fields: Partial<SolveTaskRecord> = {}): SolveTaskRecord {
  return {
    taskId,
    executionId: taskId,
    owner: null,
    createdAtMs,
    ttlMs: 60_000,
    progress: { finished: 0, tasks: 0 },
    ended: false,
    cancelRequested: false,
    failure: null,
    ...fields,
  };
}

describe('solve task registry', () => {
  it('grants the default lifetime, and clamps asked ones between the minimum and the maximum', () => {
    const registry = createSolveTaskRegistry({
      defaultTtlMs: 3_600_000,
      minTtlMs: 60_000,
      maxTtlMs: 86_400_000,
    });
    expect(registry.ttlFor(undefined)).toBe(3_600_000);
    expect(registry.ttlFor(120_000)).toBe(120_000);
    expect(registry.ttlFor(1)).toBe(60_000);
    expect(registry.ttlFor(10 * 86_400_000)).toBe(86_400_000);
  });

  it('forgets a task once its lifetime from creation is over, whatever its state', () => {
    let now = 1_000;
    const registry = createSolveTaskRegistry({ now: () => now });
    registry.add(record('old', 1_000, { ttlMs: 60_000 }));
    registry.add(record('young', 30_000, { ttlMs: 60_000 }));
    now = 60_999;
    expect(registry.get('old')?.taskId).toBe('old');
    now = 61_000;
    expect(registry.get('old')).toBeUndefined();
    expect(registry.list().map((each) => each.taskId)).toEqual(['young']);
    expect(registry.size()).toBe(1);
  });

  it('when full, drops the oldest ended task; with none ended it refuses a new one (retryable)', () => {
    const registry = createSolveTaskRegistry({ maxTasks: 3, now: () => 0 });
    registry.add(record('a', 0));
    registry.add(record('b', 0, { ended: true }));
    registry.add(record('c', 0, { ended: true }));
    registry.makeRoom(null);
    expect(registry.list().map((each) => each.taskId)).toEqual(['c', 'a']);
    registry.add(record('d', 0));
    registry.makeRoom(null);
    registry.add(record('e', 0));
    expect(registry.size()).toBe(3);
    let refused: unknown;
    try {
      registry.makeRoom(null);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RomaError);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(registry.list().map((each) => each.taskId)).toEqual(['e', 'd', 'a']);
  });

  it('refuses a tenant its next running task past its share, while another tenant still gets one', () => {
    const registry = createSolveTaskRegistry({ maxTasks: 10, maxRunningPerOwner: 2, now: () => 0 });
    registry.add(record('a1', 0, { owner: 'a' }));
    registry.add(record('a2', 0, { owner: 'a' }));
    registry.add(record('a3', 0, { owner: 'a', ended: true }));
    expect(() => registry.makeRoom('a')).toThrow(/2 of your solve tasks are running/);
    expect(() => registry.makeRoom('b')).not.toThrow();
    registry.get('a1')!.ended = true;
    expect(() => registry.makeRoom('a')).not.toThrow();
  });
});
