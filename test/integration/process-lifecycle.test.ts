import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { onCleanup } from '../support/cleanup.js';
import { connectModern } from '../support/rsocket-clients.js';
import { waitFor } from '../support/wait-for.js';

const MAIN = fileURLToPath(new URL('../../transport-service/dist/main.js', import.meta.url));
const MOCK = fileURLToPath(new URL('../../initiator-mock/dist/cli.js', import.meta.url));

interface Started {
  child: ChildProcessWithoutNullStreams;
  port: number;
  logs: Array<Record<string, unknown>>;
}

/** Starts the built service as `npm start` does (node transport-service/dist/main.js) and reads its port from the log. */
async function startProcess(env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', INSTANCE_ID: 'proc', ...env } });
  onCleanup(() => child.kill('SIGKILL'));
  const logs: Array<Record<string, unknown>> = [];
  let port = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    logs.push(entry);
    if (entry.msg === 'transport-service listening') port = entry.port as number;
  });
  await waitFor(() => port !== 0 || child.exitCode !== null, 'the service to listen', 10_000);
  assert.notEqual(port, 0, 'the service started');
  return { child, port, logs };
}

describe('the service process', () => {
  it('starts from the built entry point, serves REST and RSocket, and exits 0 on SIGTERM with [draining]', async () => {
    const { child, port, logs } = await startProcess();
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const modes = logs.filter((entry) => entry.level === 40).map((entry) => String(entry.msg));
    assert.ok(modes.some((msg) => msg.includes('REDIS_URL is unset')), 'the in-process broker is said loudly');
    assert.ok(modes.some((msg) => msg.includes('development identity mode')), 'development identity is said loudly');
    assert.ok(modes.some((msg) => msg.includes('INITIATOR_API_KEYS is unset')), 'open REST is said loudly');

    const client = await connectModern(`ws://127.0.0.1:${port}/rsocket`, { userId: 'alice' });
    await client.session();
    const mock = spawn(process.execPath, [MOCK, '--url', base, '--user', 'alice', '--type', 'demo.hello', '--count', '3']);
    let output = '';
    mock.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [mockExit] = (await once(mock, 'exit')) as [number];
    assert.equal(mockExit, 0, output);
    assert.match(output, /^202 \{"notifications":\[\{"userId":"alice","id":"\d+-\d+","online":true\}\]\}$/m);
    assert.match(output, /sent 3, accepted 3, failed 0/);
    await waitFor(() => client.received.length === 3, 'the three notifications');

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    await waitFor(() => client.error !== undefined, 'the client to see the end');
    assert.match(client.error?.message ?? '', /\[draining\]/);
  });

  it('refuses to start on a bad variable, naming it, with exit code 2', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, PORT: 'x' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2);
    assert.match(stderr, /configuration error: PORT must be an integer/);
  });

  it('names HOST when it cannot be bound', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1.invalid', ALLOW_INSECURE: '1' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 1);
    assert.match(stderr, /failed to start: HOST cannot be bound/);
  });

  it('refuses the development modes on a non-loopback HOST', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', HOST: '0.0.0.0' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2);
    assert.match(stderr, /AUTH_JWT_SECRET and INITIATOR_API_KEYS must be set when HOST \(0\.0\.0\.0\) is not a loopback/);
  });
});
