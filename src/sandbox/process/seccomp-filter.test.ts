// Evaluates the assembled seccomp program with a small classic-BPF interpreter: what each architecture's
// filter answers for the syscalls it must refuse, for other ABIs, and for ordinary calls it must allow.
import { describe, expect, it } from 'vitest';
import { seccompFilterBytes } from './seccomp-filter.js';

const ALLOW = 0x7fff0000;
const KILL_PROCESS = 0x80000000;
const errno = (value: number) => 0x00050000 | value;

/** Runs the filter over one `struct seccomp_data` (nr, arch, first argument's low 32 bits). */
function evaluate(filter: Buffer, data: { nr: number; arch: number; arg0?: number }): number {
  const words = new Map<number, number>([
    [0, data.nr >>> 0],
    [4, data.arch >>> 0],
    [16, (data.arg0 ?? 0) >>> 0],
  ]);
  let accumulator = 0;
  for (let pc = 0, steps = 0; pc * 8 < filter.length && steps < 10_000; pc++, steps++) {
    const code = filter.readUInt16LE(pc * 8);
    const jumpTrue = filter.readUInt8(pc * 8 + 2);
    const jumpFalse = filter.readUInt8(pc * 8 + 3);
    const value = filter.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) accumulator = words.get(value) ?? 0;
    else if (code === 0x06) return value;
    else if (code === 0x15) pc += accumulator === value ? jumpTrue : jumpFalse;
    else if (code === 0x35) pc += accumulator >= value ? jumpTrue : jumpFalse;
    else if (code === 0x45) pc += (accumulator & value) !== 0 ? jumpTrue : jumpFalse;
    else throw new Error(`unexpected BPF instruction ${code.toString(16)}`);
  }
  throw new Error('the filter fell off its end');
}

const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWNS = 0x00020000;
const SIGCHLD = 17;

describe('seccomp filter', () => {
  const cases = {
    x64: {
      arch: 0xc000003e,
      clone: 56,
      unshare: 272,
      keyctl: 250,
      read: 0,
      mount: 165,
      ptrace: 101,
      setns: 308,
    },
    arm64: {
      arch: 0xc00000b7,
      clone: 220,
      unshare: 97,
      keyctl: 219,
      read: 63,
      mount: 40,
      ptrace: 117,
      setns: 268,
    },
  } as const;
  for (const [architecture, table] of Object.entries(cases)) {
    it(`${architecture}: refuses namespaces, io_uring, keyrings, mounts and ptrace; allows the rest`, () => {
      const filter = seccompFilterBytes(architecture);
      const answer = (nr: number, arg0 = 0) => evaluate(filter, { nr, arch: table.arch, arg0 });
      expect(answer(table.read)).toBe(ALLOW);
      expect(answer(table.clone, SIGCHLD)).toBe(ALLOW);
      expect(answer(table.clone, 0x003d0f00)).toBe(ALLOW); // pthread_create's flags
      expect(answer(table.clone, CLONE_NEWUSER | SIGCHLD)).toBe(errno(1));
      expect(answer(table.unshare, CLONE_NEWUSER | CLONE_NEWNS)).toBe(errno(1));
      expect(answer(table.unshare, 0x00000400)).toBe(ALLOW); // CLONE_FILES
      expect(answer(435)).toBe(errno(38)); // clone3 → ENOSYS, the C library falls back to clone
      for (const nr of [425, 426, 427, table.keyctl, table.mount, table.ptrace, table.setns]) {
        expect(answer(nr)).toBe(errno(1));
      }
      // Another ABI's numbers mean other syscalls: the process is killed.
      expect(evaluate(filter, { nr: table.read, arch: 0x40000003 })).toBe(KILL_PROCESS);
    });
  }

  it('x64: refuses the x32 ABI', () => {
    expect(evaluate(seccompFilterBytes('x64'), { nr: 0x40000000 + 0, arch: 0xc000003e })).toBe(errno(1));
  });
});
