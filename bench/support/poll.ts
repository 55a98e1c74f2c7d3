/** Waiting in the benches without loading the load generator's core. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `predicate` until it holds. Not the tests' waitFor: this polls every 200 ms, not 10 ms, so waiting adds no
 * load to the generator's core, and `what` may be computed when the wait fails (to report counts at that moment).
 */
export async function until(predicate: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(200);
  }
}
