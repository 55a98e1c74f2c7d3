import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { connectModern } from '../../../test/support/rsocket-clients.js';
import { startService } from '../../../test/support/service.js';
import { waitFor } from '../../../test/support/wait-for.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let workDir = '';
after(() => (workDir === '' ? undefined : rm(workDir, { recursive: true, force: true })));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// A fresh shell's environment: no npm_* variables of the `npm test` that runs this file (they would steer the
// nested npm, e.g. towards this checkout's workspace).
function freshEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const child = spawn(command, args, { cwd, env: freshEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const result: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (result.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...result, code }));
  });
}

function expectSuccess(what: string, result: Run, advice: string): void {
  assert.equal(result.code, 0, `${what} exited ${String(result.code)}: ${advice}\n--- stdout\n${result.stdout.slice(-2000)}\n--- stderr\n${result.stderr.slice(-4000)}`);
}

/** The words of a one-line shell command with single-quoted arguments, as the README writes them. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

describe('a fresh clone', () => {
  it('runs the README\'s initiator-mock command right after npm ci, and the notification arrives', async () => {
    // The committed state (HEAD; uncommitted edits are not in it), as CI and a new contributor get it: nothing
    // built, nothing installed.
    workDir = await mkdtemp(join(tmpdir(), 'fresh-clone-'));
    const clone = join(workDir, 'repo');
    expectSuccess('git clone', await run('git', ['clone', '--quiet', REPO_ROOT, clone], workDir), 'is git installed?');
    const readme = await readFile(join(clone, 'README.md'), 'utf8');
    const line = /^npm run initiator-mock -- .*$/m.exec(readme)?.[0];
    assert.ok(line !== undefined, 'the root README shows an "npm run initiator-mock -- ..." command');
    const [npm, ...args] = shellWords(line.replace(/\s+#.*$/, ''));
    assert.equal(npm, 'npm');
    const user = args[args.indexOf('--user') + 1] ?? '';
    const type = args[args.indexOf('--type') + 1] ?? '';
    const install = await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], clone);
    expectSuccess('npm ci in the fresh clone', install, 'it needs the npm registry (or a warm npm cache, ~/.npm); see the output');

    const service = await startService();
    const receiver = await connectModern(service.wsUrl, { userId: user });
    await receiver.session();
    const sent = await run('npm', [...args, '--url', service.baseUrl], clone);
    expectSuccess(`"${line}" in the fresh clone`, sent, 'the command must build what it runs from a clone with nothing built');
    assert.match(sent.stdout, new RegExp(`^202 \\{"notifications":\\[\\{"userId":"${user}","id":"[0-9]+-[0-9]+","online":true\\}\\]\\}$`, 'm'));
    assert.match(sent.stdout, /^sent 1, accepted 1, failed 0$/m);
    await waitFor(() => receiver.received.some((n) => n.type === type), `the ${type} notification at ${user}'s client`);
    receiver.close();
  });
});
