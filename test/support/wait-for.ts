/** Polls `predicate` until it holds, failing with `what` after `timeoutMs`. Tests wait on conditions, not sleeps. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves when nothing changes for `quietMs`: used only to assert that something does NOT arrive. */
export function quietPeriod(quietMs = 200): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, quietMs));
}
