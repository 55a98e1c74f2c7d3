import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

/** How a command ended, and what it wrote. */
export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` in `cwd` with a fresh shell's environment: none of the npm_* variables of the `npm test` running the
 * test (they would steer a nested npm towards this workspace), with `overrides` on top (undefined: unset). Resolves
 * when it exits, whatever its code.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  overrides: Record<string, string | undefined> = {},
): Promise<CommandRun> {
  const env = Object.fromEntries(
    Object.entries({ ...process.env, ...overrides }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !entry[0].toLowerCase().startsWith('npm_'),
    ),
  );
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const result: CommandRun = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (result.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...result, code }));
  });
}

/** Fails the test unless `result` exited 0, with `advice` and the tail of its output. */
export function assertSucceeded(what: string, result: CommandRun, advice: string): void {
  assert.equal(result.code, 0, `${what} exited ${String(result.code)}: ${advice}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-4000)}`);
}
