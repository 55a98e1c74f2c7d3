import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flags, FrameTypes, type Frame, type KeepAliveFrame } from 'rsocket-core';
import { RedisProcess } from '../support/redis-process.js';
import { redisCommand } from '../support/redis-cli.js';
import { RawRSocket } from '../support/raw-rsocket.js';
import { startService } from '../support/service.js';
import { waitFor } from '../support/wait-for.js';

const keepAlive = (flags: number, data: string): Frame =>
  ({ type: FrameTypes.KEEPALIVE, streamId: 0, flags, lastReceivedPosition: 0, data: Buffer.from(data) }) as Frame;

describe('keepalive and lifetime', () => {
  it('answers KEEPALIVE with the respond flag, echoing its data, and ignores one without', async () => {
    const service = await startService();
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('pinger');
    raw.send(keepAlive(Flags.RESPOND, 'ping-1'));
    raw.send(keepAlive(Flags.NONE, 'no-answer'));
    raw.send(keepAlive(Flags.RESPOND, 'ping-2'));
    await waitFor(() => raw.ofType(FrameTypes.KEEPALIVE).length === 2, 'two answers');
    const answers = raw.ofType(FrameTypes.KEEPALIVE) as KeepAliveFrame[];
    assert.deepEqual(answers.map((frame) => frame.data?.toString()), ['ping-1', 'ping-2']);
    assert.ok(answers.every((frame) => !Flags.hasRespond(frame.flags)), 'answers do not ask for an answer');
  });

  it('drops a client silent for its lifetime and releases its registry entry, Redis subscription and limit slot', async () => {
    const redis = await RedisProcess.start();
    const service = await startService({ REDIS_URL: redis.url, MAX_CONNECTIONS_PER_USER: '1' });
    const silent = await RawRSocket.open(service.wsUrl);
    silent.setup('quiet', { keepAlive: 1_000, lifetime: 2_000 });
    // Taken before the last frame is sent: the server's idle clock starts at or after it.
    const started = Date.now();
    silent.requestStream(1, 10);
    await waitFor(async () => (await redisCommand(redis.port, 'PUBSUB', 'CHANNELS', 'nt:{*')) === 'nt:{quiet}', 'the subscription');

    await waitFor(() => service.server.registry.connections === 0, 'the silent client to be dropped', 10_000);
    // A lower bound only: a loaded machine can only make the drop later, never earlier than the lifetime allows.
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1_990, `not dropped before its lifetime (${elapsed} ms)`);
    await silent.serverClosed();
    await waitFor(async () => (await redisCommand(redis.port, 'PUBSUB', 'CHANNELS', 'nt:{*')) === '', 'the subscription to go');
    assert.equal(await service.metric('transport_streams'), 0);

    const next = await RawRSocket.open(service.wsUrl);
    next.setup('quiet');
    next.send({ type: FrameTypes.REQUEST_RESPONSE, streamId: 1, flags: Flags.METADATA, data: null, metadata: null } as Frame);
    await waitFor(() => next.frames.length > 0, 'an answer');
    assert.equal(service.server.registry.connectionsOf('quiet').size, 1, 'the limit slot (1) is free again');
  });

  it('keeps a client that sends KEEPALIVE within its lifetime, well past that lifetime', async () => {
    const service = await startService();
    const lively = await RawRSocket.open(service.wsUrl);
    lively.setup('lively', { keepAlive: 1_000, lifetime: 2_000 });
    const timer = setInterval(() => lively.send(keepAlive(Flags.RESPOND, 'k')), 500);
    try {
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      assert.equal(lively.closed, undefined);
      assert.equal(service.server.registry.connectionsOf('lively').size, 1);
    } finally {
      clearInterval(timer);
    }
  });
});
