import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flags, FrameTypes, type Frame } from 'rsocket-core';
import { RawRSocket, routeMetadata } from '../support/raw-rsocket.js';
import { RedisProcess } from '../support/redis-process.js';
import { startService } from '../support/service.js';
import { waitFor } from '../support/wait-for.js';

describe('history reads per connection', () => {
  it('open, cancel, open again: no more recoveries run at once than streams may be open; the rest are refused', async () => {
    const redis = await RedisProcess.start();
    const service = await startService({ REDIS_URL: redis.url, MAX_STREAMS_PER_CONNECTION: '2', REDIS_COMMAND_TIMEOUT_MS: '2000' });
    const raw = await RawRSocket.open(service.wsUrl);
    raw.setup('recovering');
    raw.requestStream(1, 10);
    await waitFor(() => service.server.registry.connectionsOf('recovering').size === 1, 'the connection to register');
    redis.pause();
    try {
      for (const streamId of [3, 5, 7]) {
        raw.send({ type: FrameTypes.REQUEST_STREAM, streamId, flags: Flags.METADATA, requestN: 1, data: Buffer.from('{"lastEventId":"1-0"}'), metadata: routeMetadata('notifications') } as Frame);
        raw.send({ type: FrameTypes.CANCEL, streamId, flags: Flags.NONE } as Frame);
      }
      const refused = await raw.error(7);
      assert.equal(refused.code, 0x204);
      assert.match(refused.message, /^\[invalid-request\] more than 2 recoveries in progress on one connection/);
      assert.equal(raw.ofType(FrameTypes.ERROR).filter((frame) => frame.streamId === 3 || frame.streamId === 5).length, 0, 'the first two were taken');
    } finally {
      redis.resume();
    }
    assert.equal(raw.closed, undefined, 'the connection stays');
  });
});
