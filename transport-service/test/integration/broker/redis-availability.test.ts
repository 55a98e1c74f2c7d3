import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { pino } from 'pino';
import { RedisAvailability } from '../../../src/broker/redis-availability.js';
import { RedisTopology, type RedisEndpoint } from '../../../src/broker/redis-topology.js';
import { RedisCluster } from '../../../../test/support/redis-cluster.js';
import { freePort } from '../../../../test/support/free-port.js';
import { RedisProcess } from '../../../../test/support/redis-process.js';
import { waitFor } from '../../../../test/support/wait-for.js';

const TIMEOUT_MS = 300;

type LogLine = { level: number; msg: string; reason?: string; downForMs?: number; err?: { stack?: string } };

/** An availability watching one command and one subscriber connection, as the broker has them, logging into `logs`. */
async function watching(t: TestContext, endpoint: RedisEndpoint): Promise<{ availability: RedisAvailability; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const topology = new RedisTopology(endpoint, TIMEOUT_MS);
  const availability = new RedisAvailability(topology, logger);
  const commands = topology.createCommands();
  const subscriber = topology.createSubscriber();
  availability.watch(commands, 'commands', 'commands');
  availability.watch(subscriber, 'subscriber', 'subscriber');
  availability.start();
  t.after(() => {
    availability.close();
    commands.disconnect();
    subscriber.disconnect();
  });
  await Promise.all([commands.connect(), subscriber.connect()]);
  await waitFor(() => availability.answering, 'Redis to answer at start');
  return { availability, logs };
}

const outageLines = (logs: LogLine[]) => ({
  down: logs.filter((line) => line.msg === 'Redis is down'),
  back: logs.filter((line) => line.msg === 'Redis is back'),
  /** Warnings and errors carrying a stack trace. */
  traced: logs.filter((line) => line.level >= 40 && line.err !== undefined),
});

describe('RedisAvailability', () => {
  it('a hung Redis (SIGSTOP) is down once the probe gets no answer within the command timeout, and back after SIGCONT; one line each', async (t) => {
    const redis = await RedisProcess.start();
    const { availability, logs } = await watching(t, { mode: 'single', url: redis.url });

    redis.pause();
    await waitFor(() => !availability.answering, 'not answering while Redis is stopped', 10_000);
    assert.equal(availability.problem, `Redis at ${redis.url} did not answer within REDIS_COMMAND_TIMEOUT_MS (${TIMEOUT_MS} ms)`);
    redis.resume();
    await waitFor(() => availability.answering, 'answering again after SIGCONT', 10_000);
    assert.equal(availability.problem, undefined);

    const { down, back, traced } = outageLines(logs);
    assert.equal(down.length, 1, 'one "down" line');
    assert.equal(down[0]?.level, 40);
    assert.equal(down[0]?.reason, `Redis at ${redis.url} did not answer within REDIS_COMMAND_TIMEOUT_MS (${TIMEOUT_MS} ms)`);
    assert.equal(back.length, 1, 'one "back" line');
    assert.ok((back[0]?.downForMs ?? 0) > 0, 'says how long it was down');
    assert.deepEqual(traced, []);
  });

  it('a killed Redis is unreachable ("connection refused") with one line for the whole outage, and back once restarted', async (t) => {
    const redis = await RedisProcess.start();
    const { availability, logs } = await watching(t, { mode: 'single', url: redis.url });

    await redis.kill();
    await waitFor(() => !availability.answering, 'not answering while Redis is gone');
    await waitFor(() => availability.problem === `Redis is unreachable at ${redis.url}: connection refused`, 'the reason to name the refusal');
    // Reconnection attempts go on meanwhile, each one logged at debug level only.
    await waitFor(() => logs.filter((line) => line.msg === 'redis connection error').length >= 4, 'several reconnection attempts', 10_000);
    await redis.restart();
    await waitFor(() => availability.answering, 'answering again after the restart', 10_000);

    const { down, back, traced } = outageLines(logs);
    assert.equal(down.length, 1, 'one "down" line for the whole outage');
    assert.match(down[0]?.reason ?? '', new RegExp(`^Redis is unreachable at ${redis.url}: `));
    assert.equal(back.length, 1, 'one "back" line');
    assert.ok(logs.filter((line) => line.msg === 'redis connection error').every((line) => line.level === 20), 'connection errors at debug level');
    assert.deepEqual(traced, []);
  });

  it('Redis unreachable at start: down with the refusal, then back once a server listens, with no restart', async (t) => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const logs: LogLine[] = [];
    const topology = new RedisTopology({ mode: 'single', url }, TIMEOUT_MS);
    const availability = new RedisAvailability(topology, pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) }));
    const commands = topology.createCommands();
    availability.watch(commands, 'commands', 'commands');
    availability.start();
    t.after(() => {
      availability.close();
      commands.disconnect();
    });
    // What the composition root does when the first connect fails.
    await commands.connect().catch((error: unknown) => availability.failed(error));
    assert.equal(availability.answering, false);
    assert.equal(availability.problem, `Redis is unreachable at ${url}: connection refused`);

    await RedisProcess.start({ port });
    await waitFor(() => availability.answering, 'answering once Redis listens', 10_000);
    const { down, back, traced } = outageLines(logs);
    assert.equal(down.length, 1);
    assert.equal(back.length, 1);
    assert.deepEqual(traced, []);
  });

  it("a real command's timeout marks Redis down at once and is said in the product's words; the next probe round brings it back", async (t) => {
    const redis = await RedisProcess.start();
    const { availability, logs } = await watching(t, { mode: 'single', url: redis.url });

    const failure = availability.failed(new Error('Command timed out'));
    assert.deepEqual(failure, { words: `Redis at ${redis.url} did not answer within REDIS_COMMAND_TIMEOUT_MS (${TIMEOUT_MS} ms)`, outage: true });
    assert.equal(availability.answering, false, 'down at once');
    await waitFor(() => availability.answering, 'back after a probe round that answered');
    assert.equal(outageLines(logs).back.length, 1);
  });

  it('on a Redis Cluster, one master that stops answering makes it down, naming that master; back after SIGCONT', async (t) => {
    const cluster = await RedisCluster.start();
    const nodes = cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
    const { availability, logs } = await watching(t, { mode: 'cluster', nodes });

    const stopped = cluster.nodes[1] as RedisProcess;
    stopped.pause();
    await waitFor(() => !availability.answering, 'not answering while one master is stopped', 10_000);
    assert.equal(
      availability.problem,
      `Redis at 127.0.0.1:${stopped.port} (Redis Cluster master) did not answer within REDIS_COMMAND_TIMEOUT_MS (${TIMEOUT_MS} ms)`,
    );
    stopped.resume();
    await waitFor(() => availability.answering, 'answering again after SIGCONT', 10_000);

    const { down, back, traced } = outageLines(logs);
    assert.equal(down.length, 1);
    assert.equal(back.length, 1);
    assert.deepEqual(traced, []);
  });
});
