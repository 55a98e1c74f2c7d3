import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCommand, type CommandRun } from '../../../test/support/run-command.js';
import { accepted, closedPortUrl, rejected, startRecordingServer } from '../support/recording-server.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Runs the CLI from source with `INITIATOR_API_KEY` set to `apiKey`, or unset. */
function runCli(args: string[], apiKey?: string): Promise<CommandRun> {
  return runCommand(process.execPath, ['--import', 'tsx', CLI, ...args], REPO_ROOT, { INITIATOR_API_KEY: apiKey });
}

describe('initiator-mock CLI', () => {
  it('sends a batch, prints each answer and the summary, exits 0', async (t) => {
    const server = await startRecordingServer((_req, i) => accepted(['alice', 'bob'], i));
    t.after(() => server.close());
    const args = ['--url', server.url, '--user', 'alice,bob', '--count', '2', '--key', 'k', '--ttl', '5'];
    const run = await runCli(args, 'env-key');
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    assert.deepEqual(run.stdout.split('\n'), [
      '202 {"notifications":[{"userId":"alice","id":"1732380000000-0","online":true},{"userId":"bob","id":"1732380000000-0","online":true}]}',
      '202 {"notifications":[{"userId":"alice","id":"1732380000000-1","online":true},{"userId":"bob","id":"1732380000000-1","online":true}]}',
      'sent 2, accepted 2, failed 0',
      '',
    ]);
    assert.deepEqual(server.requests.map((r) => [r.headers['idempotency-key'], r.headers.authorization]), [
      ['k-1', 'Bearer env-key'],
      ['k-2', 'Bearer env-key'],
    ]);
    assert.deepEqual(JSON.parse(server.requests[0]?.body ?? ''), {
      userIds: ['alice', 'bob'], type: 'demo.message', payload: { text: 'hello' }, ttlSeconds: 5,
    });
  });

  it('exits 1 when the service answers 503, sending no Authorization without a key', async (t) => {
    const server = await startRecordingServer(() => rejected(503, 'broker_unavailable', 'broker down'));
    t.after(() => server.close());
    const run = await runCli(['--url', server.url, '--user', 'alice', '--payload', '{"n":1}', '--attempts', '1']);
    assert.equal(run.code, 1);
    assert.deepEqual(run.stdout.split('\n'), [
      '503 {"error":{"code":"broker_unavailable","message":"broker down"}}',
      'sent 1, accepted 0, failed 1',
      '',
    ]);
    assert.equal(server.requests[0]?.headers.authorization, undefined);
  });

  it('exits 1 and names the error when nothing listens on the port', async () => {
    const url = await closedPortUrl();
    const run = await runCli(['--url', url, '--user', 'alice', '--attempts', '1']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, `error connect ECONNREFUSED ${new URL(url).host}\nsent 1, accepted 0, failed 1\n`);
  });

  it('exits 2 with the message and usage on stderr for bad usage', async () => {
    const run = await runCli(['--user', 'alice', '--payload', '{oops']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^initiator-mock: --payload is not valid JSON/);
    assert.match(run.stderr, /Usage: initiator-mock/);
  });

  it('prints the usage on stdout for --help and exits 0', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: initiator-mock/);
  });
});
