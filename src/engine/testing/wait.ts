// Polling for tests that wait on an effect they cannot await (another process, a model call in flight), always
// bounded so a test fails with what it waited for instead of hanging.

/** Polls `probe` every `intervalMs` until it gives a value; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls `check` until it holds, as `waitFor` does. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs?: number,
  intervalMs?: number,
): Promise<void> {
  await waitFor(async () => ((await check()) ? true : undefined), what, timeoutMs, intervalMs);
}
