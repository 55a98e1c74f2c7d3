import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReason, ROUTES } from '@notification-transport/contract';
import { ENDINGS, type EndingName } from '@notification-transport/transport-service';
import { SignJWT } from 'jose';
import { Flags, FrameTypes, serializeFrame, type Frame } from 'rsocket-core';
import { RawRSocket, routeMetadata, setupFrame } from '../support/raw-rsocket.js';
import { RedisProcess } from '../support/redis-process.js';
import { startService, type RunningService } from '../support/service.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'endings-table-test-secret-0123456789abcdef';

/** What a client saw of an ending: the ERROR (if any) on the stream it concerned, and how the socket closed. */
interface Observed {
  streamId: number;
  code: number | undefined;
  reason: string | undefined;
  /** The WebSocket close code, or `open` when the connection stayed. */
  wsClose: number | 'open';
}

/** Waits for the ending on `streamId`: an ERROR there, and for connection endings the socket's close. */
async function observe(raw: RawRSocket, streamId: number, connectionLevel: boolean, timeoutMs = 5_000): Promise<Observed> {
  if (!connectionLevel) {
    const error = await raw.error(streamId, timeoutMs);
    return { streamId, code: error.code, reason: parseReason(error.message), wsClose: raw.closed?.code ?? 'open' };
  }
  const { code: wsClose } = await raw.serverClosed(timeoutMs);
  const error = raw.ofType(FrameTypes.ERROR).find((frame) => frame.streamId === streamId) as { code: number; message: string } | undefined;
  return { streamId, code: error?.code, reason: error === undefined ? undefined : parseReason(error.message), wsClose };
}

async function tokenFor(sub: string, expiresInSeconds: number): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + expiresInSeconds;
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));
}

/** A raw connection of `userId` with its notifications stream open, once the service registered it. */
async function accepted(service: RunningService, userId: string, setup: Partial<Record<string, unknown>> = {}, credits = 100): Promise<RawRSocket> {
  const raw = await RawRSocket.open(service.wsUrl);
  raw.setup(userId, setup);
  raw.requestStream(1, credits);
  await waitFor(() => service.server.registry.connectionsOf(userId).size > 0, `${userId} to register`);
  return raw;
}

const request = (type: FrameTypes, streamId: number, route: string, data: Buffer | null = null): Frame =>
  ({ type, streamId, flags: Flags.METADATA, requestN: 1, data, metadata: routeMetadata(route) }) as Frame;

/** How to provoke each row of the table on a real service, and what the client saw. */
const provokers: Record<EndingName, () => Promise<Observed>> = {
  async 'invalid-setup'() {
    const raw = await RawRSocket.open((await plain()).wsUrl);
    raw.requestN(1, 1);
    return observe(raw, 0, true);
  },
  async 'unsupported-setup'() {
    const raw = await RawRSocket.open((await plain()).wsUrl);
    raw.send(setupFrame('lease', { flags: Flags.METADATA | Flags.LEASE }));
    return observe(raw, 0, true);
  },
  async 'resume-refused'() {
    const raw = await RawRSocket.open((await plain()).wsUrl);
    raw.send(setupFrame('resume', { flags: Flags.METADATA | Flags.RESUME_ENABLE, resumeToken: Buffer.from('t') }));
    return observe(raw, 0, true);
  },
  async 'resume-rejected'() {
    const raw = await RawRSocket.open((await plain()).wsUrl);
    raw.send({ type: FrameTypes.RESUME, streamId: 0, flags: 0, majorVersion: 1, minorVersion: 0, resumeToken: Buffer.from('t'), serverPosition: 0, clientPosition: 0 } as Frame);
    return observe(raw, 0, true);
  },
  async bounds() {
    const raw = await RawRSocket.open((await plain()).wsUrl);
    raw.setup('bounds', { keepAlive: 500, lifetime: 5_000 });
    return observe(raw, 0, true);
  },
  async auth() {
    const raw = await RawRSocket.open((await jwt()).wsUrl);
    raw.setup('anyone', { data: Buffer.alloc(0) });
    return observe(raw, 0, true);
  },
  async 'token-expired-at-setup'() {
    const raw = await RawRSocket.open((await jwt()).wsUrl);
    raw.setup('late', { data: Buffer.from(JSON.stringify({ token: await tokenFor('late', -60) })) });
    return observe(raw, 0, true);
  },
  async 'connection-limit'() {
    const service = await limited();
    await accepted(service, 'one-only');
    const second = await RawRSocket.open(service.wsUrl);
    second.setup('one-only');
    return observe(second, 0, true);
  },
  async 'setup-unavailable'() {
    return (await redisCases()).setupUnavailable;
  },
  async 'token-expired'() {
    // Accepted within the 30 s clock skew, the token runs out some 5 s later: room for a slow handshake.
    const raw = await accepted(await jwt(), 'expiring', { data: Buffer.from(JSON.stringify({ token: await tokenFor('expiring', -25) })) });
    return observe(raw, 0, true, 10_000);
  },
  async replaced() {
    const service = await evicting();
    const oldest = await accepted(service, 'evicted');
    await accepted(await evicting(), 'evicted');
    return observe(oldest, 0, true);
  },
  async 'slow-consumer'() {
    const service = await tight();
    const raw = await accepted(service, 'one-credit', {}, 1);
    // One is sent against the credit, one may wait for credit (MAX_PENDING_PER_CONNECTION=1), the third is too many.
    for (let i = 0; i < 3; i += 1) await service.send({ userId: 'one-credit', type: 'waits', payload: i });
    return observe(raw, 0, true);
  },
  async 'too-large'() {
    const service = await plain();
    const raw = await accepted(service, 'too-large');
    raw.sendBytes(serializeFrame({ type: FrameTypes.REQUEST_RESPONSE, streamId: 3, flags: 0, data: Buffer.alloc(70_000), metadata: null } as Frame));
    return observe(raw, 0, true);
  },
  async 'protocol-error'() {
    const raw = await accepted(await plain(), 'stream-zero');
    raw.requestStream(0, 1);
    return observe(raw, 0, true);
  },
  async internal() {
    return (await redisCases()).internal;
  },
  async draining() {
    return (await drainCases()).connection;
  },
  async silent() {
    const raw = await RawRSocket.open((await plain()).wsUrl);
    raw.setup('silent', { keepAlive: 1_000, lifetime: 2_000 });
    return observe(raw, 0, true, 6_000);
  },
  async 'client-closed'() {
    const raw = await accepted(await plain(), 'leaving');
    raw.send({ type: FrameTypes.ERROR, streamId: 0, flags: 0, code: 0x102, message: 'bye' } as Frame);
    return observe(raw, 0, true);
  },
  async 'invalid-request'() {
    const raw = await accepted(await plain(), 'unknown-route');
    raw.send(request(FrameTypes.REQUEST_RESPONSE, 3, 'no-such-route'));
    return observe(raw, 3, false);
  },
  async 'stream-draining'() {
    return (await drainCases()).stream;
  },
  async 'stream-internal'() {
    return (await redisCases()).streamInternal;
  },
};

// Services are started once, on first use.
const once = <T>(start: () => Promise<T>): (() => Promise<T>) => {
  let started: Promise<T> | undefined;
  return () => (started ??= start());
};
const plain = once(() => startService());
const jwt = once(() => startService({ AUTH_JWT_SECRET: SECRET }));
const limited = once(() => startService({ MAX_CONNECTIONS_PER_USER: '1' }));
const evicting = once(() => startService({ MAX_CONNECTIONS_PER_USER: '1', CONNECTION_LIMIT_POLICY: 'evict-oldest' }));
const tight = once(() => startService({ MAX_PENDING_PER_CONNECTION: '1', HISTORY_MAX_LEN: '1' }));

/**
 * Shutdown: the stream's `[draining]` first, then the connection's CONNECTION_CLOSE. The stream's row is seen
 * before the connection closes, so its `wsClose` is what the socket was when that ERROR arrived: still open.
 */
const drainCases = once(async () => {
  const service = await startService();
  const raw = await accepted(service, 'drained');
  let streamSeen: Observed | undefined;
  raw.ws.on('message', () => {
    const error = raw.ofType(FrameTypes.ERROR).find((frame) => frame.streamId === 1) as { code: number; message: string } | undefined;
    if (error === undefined || streamSeen !== undefined) return;
    const connectionEnded = raw.ofType(FrameTypes.ERROR).some((frame) => frame.streamId === 0);
    streamSeen = { streamId: 1, code: error.code, reason: parseReason(error.message), wsClose: connectionEnded || raw.closed ? 1001 : 'open' };
  });
  await service.server.close();
  const connection = await observe(raw, 0, true);
  const errors = raw.ofType(FrameTypes.ERROR).map((frame) => frame.streamId);
  assert.deepEqual(errors, [1, 0], 'the stream ends before the connection does');
  return { connection, stream: streamSeen ?? { streamId: 1, code: undefined, reason: undefined, wsClose: 'open' as const } };
});

/**
 * With Redis hung (SIGSTOP): a recovery read fails on its stream, and a new SETUP cannot take a slot. With Redis
 * killed and back: live delivery had a gap, so connections end with `[internal]` to recover.
 */
const redisCases = once(async () => {
  const redis = await RedisProcess.start();
  const service = await startService({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '200' });
  const raw = await accepted(service, 'on-redis');
  redis.pause();
  try {
    raw.send(request(FrameTypes.REQUEST_STREAM, 3, ROUTES.notifications, Buffer.from('{"lastEventId":"1-0"}')));
    const streamInternal = await observe(raw, 3, false);
    const late = await RawRSocket.open(service.wsUrl);
    late.setup('late-on-redis');
    const setupUnavailable = await observe(late, 0, true);
    redis.resume();
    await redis.restart();
    const internal = await observe(raw, 0, true, 10_000);
    return { streamInternal, setupUnavailable, internal };
  } finally {
    redis.resume();
  }
});

describe('the table of endings, walked on real connections', () => {
  for (const [name, ending] of Object.entries(ENDINGS) as Array<[EndingName, (typeof ENDINGS)[EndingName]]>) {
    const scope = ending.scope === 'connection' ? `ERROR on stream 0, close ${ending.wsClose ?? ''}` : 'ERROR on its stream';
    it(`${name}: ${ending.reason === undefined ? 'no ERROR' : `[${ending.reason}] 0x${(ending.code ?? 0).toString(16)}`}, ${scope}`, async () => {
      const provoke = provokers[name] as (() => Promise<Observed>) | undefined;
      assert.ok(provoke, `no test provokes the ending ${name}: add one`);
      const seen = await provoke();
      const expected: Observed =
        ending.scope === 'connection'
          ? { streamId: 0, code: ending.code, reason: ending.reason, wsClose: ending.wsClose }
          : { streamId: seen.streamId, code: ending.code, reason: ending.reason, wsClose: 'open' };
      assert.ok(ending.scope === 'connection' ? seen.streamId === 0 : seen.streamId > 0, `${name} is ${ending.scope}-level`);
      assert.deepEqual(seen, expected);
    });
  }
});
