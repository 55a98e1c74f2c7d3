import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { encodeBearerAuthMetadata, encodeCompositeMetadata, WellKnownMimeType } from 'rsocket-composite-metadata';
import { RawRSocket, setupFrame } from '../support/raw-rsocket.js';
import { connectLegacy, connectModern, type ClientOptions, type TestClient } from '../support/rsocket-clients.js';
import { ServiceProcess } from '../support/service-process.js';
import { startService, type RunningService } from '../support/service.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'e2e-jwt-secret-0123456789abcdef-0123456789';
const APP_ORIGIN = 'https://app.example';
const EVIL_ORIGIN = 'https://evil.example';
const JWT_ENV = { AUTH_JWT_SECRET: SECRET, ALLOWED_ORIGINS: APP_ORIGIN };

/** An HS256 token for `sub`, valid for ten minutes unless `exp` (seconds since the epoch) says otherwise. */
function sign(sub: string, options: { exp?: number; secret?: string } = {}): Promise<string> {
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** SETUP composite metadata carrying `token` as bearer authentication. */
function bearer(token: string): Buffer {
  return encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION, encodeBearerAuthMetadata(token)]]);
}

/** The upgrade headers of a browser page on `origin` holding `token` in the access_token cookie. */
function cookieFrom(token: string, origin: string): Record<string, string> {
  return { Cookie: `theme=dark; access_token=${token}`, Origin: origin };
}

/** The ERROR frame's code and data, as a refused client of either generation reports them. */
interface Refusal {
  code: number | undefined;
  message: string;
}

/**
 * How a refused client ended. rsocket-js 0.0.27 hands a connection ERROR only to open requests (then reports a bare
 * CLOSED), so its refusal is read from the notifications stream the client opens by default; it wraps the frame's
 * data in its own sentence and keeps the original in `source`.
 */
async function refusalOf(connect: () => Promise<TestClient>): Promise<Refusal> {
  let error: Error;
  try {
    error = await (await connect()).ended;
  } catch (thrown) {
    error = thrown as Error;
  }
  const { source, code } = error as Error & { source?: Refusal; code?: number };
  return source ? { code: source.code, message: source.message } : { code, message: error.message };
}

describe('JWT identity (AUTH_JWT_SECRET set)', () => {
  let service: RunningService;
  before(async () => (service = await startService(JWT_ENV)));

  it('rsocket-js 1.0 with the token in SETUP metadata connects as sub and receives its notifications', async () => {
    const client = await connectModern(service.wsUrl, { setupMetadata: bearer(await sign('alice')) });
    assert.equal((await client.session()).userId, 'alice');
    await service.send({ userId: 'alice', type: 'greeting', payload: 'hi' });
    await waitFor(() => client.received.length === 1, 'the notification');
    assert.equal(client.received[0]?.payload, 'hi');
  });

  it('a token in SETUP data works with both client generations', async () => {
    const modern = await connectModern(service.wsUrl, { setupData: { token: await sign('bob') }, openStream: false });
    assert.equal((await modern.session()).userId, 'bob');
    const legacy = await connectLegacy(service.wsUrl, { setupData: { token: await sign('bob-legacy') }, openStream: false });
    assert.equal((await legacy.session()).userId, 'bob-legacy');
  });

  it('refuses a wrongly signed and a missing token with [auth], an expired one with [token-expired] (rsocket-js 1.0 sees it on onClose)', async () => {
    const cases: Array<[string, ClientOptions, RegExp, string]> = [
      ['expired', { setupMetadata: bearer(await sign('carol', { exp: Math.floor(Date.now() / 1000) - 60 })) }, /token expired/, 'token-expired'],
      ['wrongly signed', { setupData: { token: await sign('carol', { secret: 'x'.repeat(40) }) } }, /signature is invalid/, 'auth'],
      ['missing', {}, /no token/, 'auth'],
      ['development userId only', { userId: 'carol' }, /no token/, 'auth'],
    ];
    for (const [what, options, pattern, reason] of cases) {
      const refused = await refusalOf(() => connectModern(service.wsUrl, { ...options, openStream: false }));
      assert.equal(refused.code, 0x3, what);
      assert.match(refused.message, new RegExp(`^\\[${reason}\\] `), what);
      assert.match(refused.message, pattern, what);
    }
    assert.equal(service.server.registry.connectionsOf('carol').size, 0);
  });

  it('an rsocket-js 0.0.27 client with empty SETUP data and the token only in the access_token cookie', async () => {
    const client = await connectLegacy(service.wsUrl, { headers: cookieFrom(await sign('dave'), APP_ORIGIN) });
    assert.equal((await client.session()).userId, 'dave');
    await service.send({ userId: 'dave', type: 'balance.changed', payload: { balance: 42 } });
    await waitFor(() => client.received.length === 1, 'the notification over the legacy client');
  });

  it('refuses the access_token cookie from a foreign Origin (cross-site WebSocket hijacking) with [auth]', async () => {
    const token = await sign('heidi');
    const refused = await refusalOf(() => connectLegacy(service.wsUrl, { headers: cookieFrom(token, EVIL_ORIGIN) }));
    assert.equal(refused.code, 0x3);
    assert.match(refused.message, /^\[auth\] the access_token cookie is accepted only from allowed origins .*"https:\/\/evil\.example"/);
    assert.ok(!refused.message.includes(token));
    assert.equal(service.server.registry.connectionsOf('heidi').size, 0);

    const raw = await RawRSocket.open(`${service.wsUrl}?access_token=${token}`, { headers: { Cookie: `access_token=${token}` } });
    raw.send(setupFrame('heidi', { data: null }));
    const refusal = await raw.error(0);
    assert.equal(refusal.code, 0x3);
    assert.match(refusal.message, /^\[auth\] .*got no Origin header/, 'a cookie without Origin does not fall through to the query');
    await raw.serverClosed();
  });

  it('accepts the Authorization header and the access_token query parameter', async () => {
    const viaHeader = await connectModern(service.wsUrl, { headers: { Authorization: `Bearer ${await sign('erin')}` }, openStream: false });
    assert.equal((await viaHeader.session()).userId, 'erin');
    const viaQuery = await connectLegacy(service.wsUrl, { query: `?access_token=${await sign('frank')}`, openStream: false });
    assert.equal((await viaQuery.session()).userId, 'frank');
  });

  it('never falls back: an invalid token in SETUP data is refused although the query holds a valid one', async () => {
    const raw = await RawRSocket.open(`${service.wsUrl}?access_token=${await sign('grace')}`);
    raw.send(setupFrame('grace', { data: Buffer.from(JSON.stringify({ token: 'not-a-jwt' })) }));
    const refusal = await raw.error(0);
    assert.equal(refusal.code, 0x3);
    assert.match(refusal.message, /^\[auth\] token is malformed.*\(token from SETUP data\)$/);
  });
});

describe('tokens in the logs of the built service (LOG_LEVEL=debug)', () => {
  it('no token text appears in stdout or stderr, whatever the carrier and outcome', async () => {
    const instance = await ServiceProcess.start({ ...JWT_ENV, LOG_LEVEL: 'debug' });
    const tokens: string[] = [];
    const token = async (sub: string, options: { exp?: number; secret?: string } = {}): Promise<string> => {
      const value = await sign(sub, options);
      tokens.push(value);
      return value;
    };
    const good: Array<() => Promise<TestClient>> = [
      async () => connectModern(instance.wsUrl, { setupMetadata: bearer(await token('u1')), openStream: false }),
      async () => connectModern(instance.wsUrl, { setupData: { token: await token('u2') }, openStream: false }),
      async () => connectModern(instance.wsUrl, { headers: { Authorization: `Bearer ${await token('u3')}` }, openStream: false }),
      async () => connectLegacy(instance.wsUrl, { headers: cookieFrom(await token('u4'), APP_ORIGIN), openStream: false }),
      async () => connectLegacy(instance.wsUrl, { query: `?access_token=${await token('u5')}`, openStream: false }),
    ];
    for (const connect of good) assert.match((await (await connect()).session()).userId, /^u\d$/);

    const expired = { exp: Math.floor(Date.now() / 1000) - 60 };
    const forged = { secret: 'y'.repeat(40) };
    const bad: Array<() => Promise<TestClient>> = [
      async () => connectModern(instance.wsUrl, { setupMetadata: bearer(await token('b1', expired)), openStream: false }),
      async () => connectModern(instance.wsUrl, { setupData: { token: await token('b2', forged) }, openStream: false }),
      async () => connectModern(instance.wsUrl, { headers: { Authorization: `Bearer ${await token('b3', expired)}` }, openStream: false }),
      async () => connectLegacy(instance.wsUrl, { headers: cookieFrom(await token('b4'), EVIL_ORIGIN) }),
      async () => connectLegacy(instance.wsUrl, { query: `?access_token=${await token('b5', forged)}` }),
    ];
    for (const connect of bad) assert.match((await refusalOf(connect)).message, /^\[(auth|token-expired)\] /);

    assert.equal(await instance.terminate(), 0);
    const output = JSON.stringify(instance.logs) + instance.stderr;
    assert.ok(instance.logs.some((entry) => entry.msg === 'shutting down'), 'the log was collected to the end');
    for (const value of tokens) {
      for (let start = 0; start + 20 <= value.length; start += 1) {
        const slice = value.slice(start, start + 20);
        assert.ok(!output.includes(slice), `the log contains token text "${slice}"`);
      }
    }
  });
});
