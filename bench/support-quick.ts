// Quick mode shared by every bench: `npm run bench -- <name> --quick` or ROMA_BENCH_QUICK=1 → small sizes (CI).
export const quick =
  process.argv.includes('--quick') || process.env.ROMA_BENCH_QUICK === '1' || process.env.BENCH_QUICK === '1';

/** The full-size value, or the small one in quick mode. */
export function sized<T>(full: T, small: T): T {
  return quick ? small : full;
}
