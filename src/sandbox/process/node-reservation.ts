// How much RLIMIT_DATA a sandboxed Node needs before any program runs, by major version.
import { execFileSync } from 'node:child_process';

/**
 * Node 24's V8 reserves about half a GiB of private address space at start (its code range and pointer cage),
 * which RLIMIT_DATA counts although none of it is used yet: below ~576 MiB Node 24 aborts with "Failed to
 * reserve virtual memory for CodeRange" (measured with prlimit on 24.21). Node 20 and 22 need none of this.
 * The program's own heap is still held to `memoryMb` by `--max-old-space-size`.
 */
const NODE_24_RESERVATION_MB = 576;

const majors = new Map<string, number>();

function majorOf(nodePath: string): number {
  const cached = majors.get(nodePath);
  if (cached !== undefined) return cached;
  let version = process.execPath === nodePath ? process.versions.node : '';
  if (!version) {
    try {
      version = execFileSync(nodePath, ['--version'], { encoding: 'utf8', timeout: 10_000 })
        .trim()
        .replace(/^v/, '');
    } catch {
      version = '0';
    }
  }
  const major = Number.parseInt(version, 10) || 0;
  majors.set(nodePath, major);
  return major;
}

/** Extra RLIMIT_DATA, in MiB, that the Node at `nodePath` reserves at start. */
export function nodeStartReservationMb(nodePath: string): number {
  return majorOf(nodePath) >= 24 ? NODE_24_RESERVATION_MB : 0;
}
