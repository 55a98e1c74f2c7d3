const tasks: Array<() => unknown> = [];

async function runAll(): Promise<void> {
  for (const task of tasks.splice(0).reverse()) {
    try {
      await task();
    } catch {
      // Cleanup of one resource must not prevent the others'.
    }
  }
}

// Under the test runner (which sets NODE_TEST_CONTEXT in each test file's process) the cleanup is a root `after`
// hook, registered when a test file first imports the support code, so it runs after every test of the file,
// whatever made the resource. Benches reuse the support code without node:test (which would print TAP): their
// child processes are killed on exit by TrackedChild.
if (process.env.NODE_TEST_CONTEXT !== undefined) {
  const { after } = await import('node:test');
  after(runAll);
}

/** Runs `task` when the current test file ends (last registered, first run). */
export function onCleanup(task: () => unknown): void {
  tasks.push(task);
}
