import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { freePort } from '../../support/free-port.js';
import { redisCommand } from '../../support/redis-cli.js';
import { RedisProcess } from '../../support/redis-process.js';
import { ServiceProcess } from '../../support/service-process.js';
import { waitFor } from '../../support/wait-for.js';

/** The state letter of /proc/PID/stat: 'T' while stopped by SIGSTOP. */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.charAt(stat.lastIndexOf(')') + 2);
}

describe('RedisProcess', () => {
  it('answers commands, loses its data when killed and restarted on the same port', async () => {
    const redis = await RedisProcess.start();
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
    assert.equal(await redisCommand(redis.port, 'ping'), 'PONG');
    assert.equal(await redisCommand(redis.port, 'set', 'greeting', 'hello'), 'OK');
    assert.equal(await redisCommand(redis.port, 'get', 'greeting'), 'hello');

    const pid = redis.pid;
    await redis.kill();
    assert.equal(existsSync(`/proc/${pid}`), false, 'the killed server is gone');
    await assert.rejects(redisCommand(redis.port, 'ping'), /Connection refused/);

    await redis.restart();
    assert.notEqual(redis.pid, pid);
    assert.equal(await redisCommand(redis.port, 'get', 'greeting'), '');
  });

  it('starts on a given port and stops gracefully', async () => {
    const port = await freePort();
    const redis = await RedisProcess.start({ port });
    assert.equal(redis.port, port);
    await redis.stop();
    await assert.rejects(redisCommand(port, 'ping'), /Connection refused/);
  });

  it('freezes on pause and answers again on resume', async () => {
    const redis = await RedisProcess.start();
    redis.pause();
    await waitFor(() => processState(redis.pid) === 'T', 'the server to be stopped');
    redis.resume();
    await waitFor(() => processState(redis.pid) !== 'T', 'the server to run again');
    assert.equal(await redisCommand(redis.port, 'ping'), 'PONG');
  });

  it('refuses a port another server already holds', async () => {
    const redis = await RedisProcess.start();
    await assert.rejects(RedisProcess.start({ port: redis.port }), /Address already in use|is held by another redis-server/);
  });

  it('names the missing package when redis-server is not installed', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(RedisProcess.start(), { message: /^redis-server not found: install it with "apt-get install -y redis-server"/ });
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('ServiceProcess', () => {
  it('runs two instances side by side that can be crashed or terminated independently', async () => {
    const [first, second] = await Promise.all([ServiceProcess.start(), ServiceProcess.start({ INSTANCE_ID: 'second' })]);
    assert.notEqual(first.port, second.port);
    assert.notEqual(first.instanceId, second.instanceId);
    assert.equal(second.instanceId, 'second');
    assert.equal((await fetch(`${first.baseUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${second.baseUrl}/healthz`)).status, 200);
    assert.equal(second.wsUrl, `ws://127.0.0.1:${second.port}/rsocket`);
    assert.ok(first.logs.some((entry) => entry.msg === 'transport-service listening'));

    assert.equal(await first.kill(), null, 'SIGKILL leaves no exit code');
    assert.equal(first.exited, true);
    await assert.rejects(fetch(`${first.baseUrl}/healthz`));
    assert.equal((await fetch(`${second.baseUrl}/healthz`)).status, 200, 'the other instance is unaffected');

    assert.equal(await second.terminate(), 0, `graceful exit\n${second.stderr}`);
    assert.equal(second.exited, true);
  });

  it('fails with the process output when the instance exits before listening', async () => {
    await assert.rejects(ServiceProcess.start({ PORT: 'x' }), /configuration error: PORT must be an integer/);
  });
});
