import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { connectModern } from '../../../test/support/rsocket-clients.js';
import { assertSucceeded, runCommand } from '../../../test/support/run-command.js';
import { startService } from '../../../test/support/service.js';
import { waitFor } from '../../../test/support/wait-for.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let workDir = '';
after(() => (workDir === '' ? undefined : rm(workDir, { recursive: true, force: true })));

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
    assertSucceeded('git clone', await runCommand('git', ['clone', '--quiet', REPO_ROOT, clone], workDir), 'is git installed?');
    const readme = await readFile(join(clone, 'README.md'), 'utf8');
    const line = /^npm run initiator-mock -- .*$/m.exec(readme)?.[0];
    assert.ok(line !== undefined, 'the root README shows an "npm run initiator-mock -- ..." command');
    const [npm, ...args] = shellWords(line.replace(/\s+#.*$/, ''));
    assert.equal(npm, 'npm');
    const user = args[args.indexOf('--user') + 1] ?? '';
    const type = args[args.indexOf('--type') + 1] ?? '';
    const install = await runCommand('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], clone);
    assertSucceeded('npm ci in the fresh clone', install, 'it needs the npm registry (or a warm npm cache, ~/.npm); see the output');

    const service = await startService();
    const receiver = await connectModern(service.wsUrl, { userId: user });
    await receiver.session();
    const sent = await runCommand('npm', [...args, '--url', service.baseUrl], clone);
    assertSucceeded(`"${line}" in the fresh clone`, sent, 'the command must build what it runs from a clone with nothing built');
    assert.match(sent.stdout, new RegExp(`^202 \\{"notifications":\\[\\{"userId":"${user}","id":"[0-9]+-[0-9]+","online":true\\}\\]\\}$`, 'm'));
    assert.match(sent.stdout, /^sent 1, accepted 1, failed 0$/m);
    await waitFor(() => receiver.received.some((n) => n.type === type), `the ${type} notification at ${user}'s client`);
    receiver.close();
  });
});
