// The seccomp filter bubblewrap installs (`--seccomp FD`) before the interpreter starts, assembled here as
// classic BPF: no new namespaces (nested user namespaces give uid 0 and mounts), no io_uring, no kernel
// keyrings, no mounts, ptrace, bpf, perf or module loading. Everything else is allowed.
import { arch } from 'node:process';

const BPF_LD_W_ABS = 0x20;
const BPF_JMP_JEQ_K = 0x15;
const BPF_JMP_JGE_K = 0x35;
const BPF_JMP_JSET_K = 0x45;
const BPF_RET_K = 0x06;

const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const ENOSYS = 38;

/** struct seccomp_data offsets: nr, arch, then args[6] (64-bit each; the low half comes first here). */
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16;

/** Every CLONE_NEW* flag: a clone or unshare asking for one is refused. */
const CLONE_NAMESPACE_FLAGS =
  0x00020000 | // CLONE_NEWNS
  0x02000000 | // CLONE_NEWCGROUP
  0x04000000 | // CLONE_NEWUTS
  0x08000000 | // CLONE_NEWIPC
  0x10000000 | // CLONE_NEWUSER
  0x20000000 | // CLONE_NEWPID
  0x40000000 | // CLONE_NEWNET
  0x00000080; // CLONE_NEWTIME

interface SyscallTable {
  auditArch: number;
  /** x86_64: numbers with this bit are the x32 ABI, refused as a whole. */
  x32Bit?: number;
  clone: number;
  unshare: number;
  /** Refused with EPERM whatever their arguments. */
  denied: Record<string, number>;
}

// New syscalls (io_uring, clone3, the mount API) have the same numbers on every architecture.
const COMMON_DENIED = {
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
};
const CLONE3 = 435;

const TABLES: Record<string, SyscallTable> = {
  x64: {
    auditArch: 0xc000003e,
    x32Bit: 0x40000000,
    clone: 56,
    unshare: 272,
    denied: {
      ...COMMON_DENIED,
      setns: 308,
      keyctl: 250,
      add_key: 248,
      request_key: 249,
      mount: 165,
      umount2: 166,
      pivot_root: 155,
      chroot: 161,
      ptrace: 101,
      process_vm_readv: 310,
      process_vm_writev: 311,
      bpf: 321,
      perf_event_open: 298,
      userfaultfd: 323,
      kexec_load: 246,
      kexec_file_load: 320,
      init_module: 175,
      finit_module: 313,
      delete_module: 176,
      open_by_handle_at: 304,
      acct: 163,
      reboot: 169,
      syslog: 103,
    },
  },
  arm64: {
    auditArch: 0xc00000b7,
    clone: 220,
    unshare: 97,
    denied: {
      ...COMMON_DENIED,
      setns: 268,
      keyctl: 219,
      add_key: 217,
      request_key: 218,
      mount: 40,
      umount2: 39,
      pivot_root: 41,
      chroot: 51,
      ptrace: 117,
      process_vm_readv: 270,
      process_vm_writev: 271,
      bpf: 280,
      perf_event_open: 241,
      userfaultfd: 282,
      kexec_load: 104,
      kexec_file_load: 294,
      init_module: 105,
      finit_module: 273,
      delete_module: 106,
      open_by_handle_at: 265,
      acct: 89,
      reboot: 142,
      syslog: 116,
    },
  },
};

/** Whether this architecture has a filter (x86-64 and arm64); elsewhere the sandbox refuses to start. */
export function seccompSupported(architecture: string = arch): boolean {
  return TABLES[architecture] !== undefined;
}

/** The filter as the bytes of `struct sock_filter[]` (little-endian), what `bwrap --seccomp FD` reads. */
export function seccompFilterBytes(architecture: string = arch): Buffer {
  const table = TABLES[architecture];
  if (!table) throw new Error(`no seccomp filter for architecture ${architecture}`);
  const program: Array<[code: number, jumpTrue: number, jumpFalse: number, value: number]> = [];
  const errno = (value: number) => SECCOMP_RET_ERRNO | value;
  program.push([BPF_LD_W_ABS, 0, 0, OFFSET_ARCH]);
  program.push([BPF_JMP_JEQ_K, 1, 0, table.auditArch]);
  // Another ABI (i386 through int 0x80 on x86-64) would bypass the numbers below.
  program.push([BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS]);
  program.push([BPF_LD_W_ABS, 0, 0, OFFSET_NR]);
  if (table.x32Bit !== undefined) {
    program.push([BPF_JMP_JGE_K, 0, 1, table.x32Bit]);
    program.push([BPF_RET_K, 0, 0, errno(EPERM)]);
  }
  // clone3 passes its flags in memory a filter cannot read: ENOSYS makes the C library fall back to clone.
  program.push([BPF_JMP_JEQ_K, 0, 1, CLONE3]);
  program.push([BPF_RET_K, 0, 0, errno(ENOSYS)]);
  for (const number of [table.clone, table.unshare]) {
    program.push([BPF_JMP_JEQ_K, 0, 4, number]);
    program.push([BPF_LD_W_ABS, 0, 0, OFFSET_ARG0_LOW]);
    program.push([BPF_JMP_JSET_K, 0, 1, CLONE_NAMESPACE_FLAGS]);
    program.push([BPF_RET_K, 0, 0, errno(EPERM)]);
    program.push([BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW]);
  }
  for (const number of Object.values(table.denied)) {
    program.push([BPF_JMP_JEQ_K, 0, 1, number]);
    program.push([BPF_RET_K, 0, 0, errno(EPERM)]);
  }
  program.push([BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW]);
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(([code, jumpTrue, jumpFalse, value], index) => {
    bytes.writeUInt16LE(code, index * 8);
    bytes.writeUInt8(jumpTrue, index * 8 + 2);
    bytes.writeUInt8(jumpFalse, index * 8 + 3);
    bytes.writeUInt32LE(value >>> 0, index * 8 + 4);
  });
  return bytes;
}
