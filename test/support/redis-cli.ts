import { execFile } from 'node:child_process';

/** How long one command may take before it fails, so a paused (SIGSTOP) Redis cannot hang a test. */
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * Runs `redis-cli -p PORT --raw ARGS` and resolves with its stdout minus the trailing newline; it rejects when
 * Redis cannot be reached or does not answer within 2 s (error replies such as `ERR …` resolve as text).
 */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  const command = `redis-cli -p ${port} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-p', String(port), '--raw', ...args], { timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error === null) {
        resolve(stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout);
      } else if (error.code === 'ENOENT') {
        reject(new Error('redis-cli not found: install it with "apt-get install -y redis-server" (.ci/run does this on a fresh machine)'));
      } else {
        const reason = error.killed ? `no answer within ${COMMAND_TIMEOUT_MS} ms` : stderr.trim() || error.message;
        reject(new Error(`${command} failed: ${reason}`, { cause: error }));
      }
    });
  });
}
