import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { encodeCompositeMetadata, encodeSimpleAuthMetadata, WellKnownMimeType } from 'rsocket-composite-metadata';
import type { SetupFrame } from 'rsocket-core';
import { RSocketEndError } from '../../../src/errors/transport-error.js';
import { JwtIdentity } from '../../../src/identity/jwt-identity.js';
import { bearerMetadata, NOW_MS, nowSeconds, SECRET, setupWith, signToken, upgradeWith } from '../../support/identity-fixtures.js';

const APP_ORIGIN = 'https://app.example';
const identity = new JwtIdentity({
  secret: SECRET,
  allowedOrigins: [APP_ORIGIN, 'https://admin.example'],
  now: () => NOW_MS,
});

type Carrier = 'setup-metadata' | 'setup-data' | 'authorization-header' | 'cookie' | 'query';
const CARRIERS: readonly Carrier[] = ['setup-metadata', 'setup-data', 'authorization-header', 'cookie', 'query'];

/** A SETUP frame and upgrade request holding each given token in its carrier. */
function carrying(tokens: Partial<Record<Carrier, string>>): [SetupFrame, IncomingMessage] {
  const headers: Record<string, string> = {};
  if (tokens['authorization-header'] !== undefined) headers.authorization = `Bearer ${tokens['authorization-header']}`;
  if (tokens.cookie !== undefined) {
    headers.cookie = `theme=dark; access_token=${tokens.cookie}; lang=en`;
    headers.origin = APP_ORIGIN;
  }
  const query = tokens.query === undefined ? '' : `?access_token=${encodeURIComponent(tokens.query)}`;
  const setup = setupWith({
    ...(tokens['setup-data'] === undefined ? {} : { data: { token: tokens['setup-data'] } }),
    ...(tokens['setup-metadata'] === undefined ? {} : { metadata: bearerMetadata(tokens['setup-metadata']) }),
  });
  return [setup, upgradeWith({ url: `/rsocket${query}`, headers })];
}

/** Asserts that resolving is refused with `[auth]`, REJECTED_SETUP, a message matching `pattern` and no token text. */
async function assertRefused(
  [setup, upgrade]: [SetupFrame, IncomingMessage],
  pattern: RegExp,
  tokens: readonly string[] = [],
  reason: 'auth' | 'token-expired' = 'auth',
): Promise<void> {
  await assert.rejects(Promise.resolve().then(() => identity.resolve(setup, upgrade)), (error: unknown) => {
    assert.ok(error instanceof RSocketEndError, `expected RSocketEndError, got ${String(error)}`);
    assert.equal(error.reason, reason);
    assert.equal(error.rsocketCode, 0x3);
    assert.ok(error.message.startsWith(`[${reason}] `), error.message);
    assert.match(error.message, pattern);
    for (const token of tokens) assertNoTokenText(error.message, token);
    return true;
  });
}

function assertNoTokenText(text: string, token: string): void {
  const slice = Math.min(20, token.length);
  for (let start = 0; start + slice <= token.length; start += 1) {
    assert.ok(!text.includes(token.slice(start, start + slice)), `"${text}" quotes the token`);
  }
}

describe('JwtIdentity', () => {
  it('takes the user id and expiry from a valid token in each of the five carriers', async () => {
    for (const carrier of CARRIERS) {
      const exp = nowSeconds(600);
      const token = await signToken({ sub: `user-${carrier}`, exp });
      const [setup, upgrade] = carrying({ [carrier]: token });
      const result = await identity.resolve(setup, upgrade);
      assert.deepEqual(result, { userId: `user-${carrier}`, expiresAt: (exp + 30) * 1000 }, carrier);
    }
  });

  it('uses the first carrier present: metadata, then data, then header, then cookie, then query', async () => {
    for (const [index, first] of CARRIERS.entries()) {
      const tokens: Partial<Record<Carrier, string>> = {};
      for (const carrier of CARRIERS.slice(index)) tokens[carrier] = await signToken({ sub: `user-${carrier}` });
      const [setup, upgrade] = carrying(tokens);
      assert.equal((await identity.resolve(setup, upgrade)).userId, `user-${first}`);
    }
  });

  it('never falls back to a later carrier when the first one present is invalid', async () => {
    const forged = await signToken({ sub: 'mallory' }, { secret: 'another-secret-0123456789abcdef-0123456789' });
    const names = ['SETUP metadata', 'SETUP data', 'the Authorization header', 'the access_token cookie'];
    for (const [index, first] of CARRIERS.slice(0, -1).entries()) {
      const tokens: Partial<Record<Carrier, string>> = { [first]: forged };
      for (const carrier of CARRIERS.slice(index + 1)) tokens[carrier] = await signToken();
      await assertRefused(carrying(tokens), new RegExp(`signature is invalid.*\\(token from ${names[index] ?? ''}\\)$`), [forged]);
    }
  });

  it('refuses a token expired beyond the 30 s skew and accepts one 10 s past exp', async () => {
    const expired = await signToken({ exp: nowSeconds(-31) });
    await assertRefused(carrying({ 'setup-data': expired }), /token expired: get a fresh token/, [expired], 'token-expired');
    const withinSkew = await signToken({ exp: nowSeconds(-10) });
    const result = await identity.resolve(...carrying({ 'setup-data': withinSkew }));
    assert.deepEqual(result, { userId: 'alice', expiresAt: (nowSeconds(-10) + 30) * 1000 });
    assert.ok((result.expiresAt ?? 0) > NOW_MS, 'an accepted token is not already past its expiry');
  });

  it('refuses a wrong signature', async () => {
    const token = await signToken({}, { secret: 'not-the-server-secret-0123456789abcdef' });
    await assertRefused(carrying({ 'setup-metadata': token }), /token signature is invalid/, [token]);
  });

  it('refuses every algorithm but HS256: HS512, none, RS256', async () => {
    const claims = { sub: 'alice', exp: nowSeconds(600) };
    const hs512 = await signToken({}, { alg: 'HS512' });
    const none = new UnsecuredJWT(claims).encode();
    const { privateKey } = await generateKeyPair('RS256');
    const rs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    for (const token of [hs512, none, rs256]) {
      await assertRefused(carrying({ 'authorization-header': token }), /token must be signed with HS256/, [token]);
    }
  });

  it('refuses a token without exp or without sub', async () => {
    const noExp = await signToken({ exp: undefined });
    await assertRefused(carrying({ query: noExp }), /token has no exp claim/, [noExp]);
    const noSub = await signToken({ sub: undefined });
    await assertRefused(carrying({ query: noSub }), /token has no sub claim/, [noSub]);
  });

  it('checks sub like any user id', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['a{b}', /"sub" claim \(the user id\) must not contain control characters, "\{" or "\}"/],
      ['', /"sub" claim \(the user id\) must not be empty/],
      ['x'.repeat(129), /"sub" claim \(the user id\) must be at most 128 characters/],
      [42, /"sub" claim \(the user id\) must be a string/],
    ];
    for (const [sub, pattern] of cases) {
      const token = await signToken({ sub } as { sub: string });
      await assertRefused(carrying({ 'setup-data': token }), pattern, [token]);
    }
  });

  it('refuses a malformed token string, and an empty one', async () => {
    for (const token of ['definitely-not-a-jwt-at-all', 'aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb.cccc', '']) {
      await assertRefused(carrying({ 'setup-data': token }), /token is malformed/, token === '' ? [] : [token]);
    }
    await assertRefused([setupWith(), upgradeWith({ headers: { authorization: 'Bearer' } })], /token is malformed/);
  });

  it('refuses a connection without any token, saying where to send one', async () => {
    const noToken = /^\[auth\] no token: send it in SETUP metadata \(bearer\), SETUP data \{"token"\}, the Authorization header, the access_token cookie or query$/;
    await assertRefused([setupWith(), upgradeWith()], noToken);
    await assertRefused([setupWith({ data: { userId: 'alice' } }), upgradeWith({ url: '/rsocket?userId=alice' })], noToken);
  });

  it('refuses the cookie from a foreign or missing Origin, without falling through to the query', async () => {
    const token = await signToken();
    const cookie = `access_token=${token}`;
    const url = `/rsocket?access_token=${token}`;
    await assertRefused(
      [setupWith(), upgradeWith({ url, headers: { cookie, origin: 'https://evil.example' } })],
      /the access_token cookie is accepted only from allowed origins \(ALLOWED_ORIGINS\); got Origin "https:\/\/evil\.example"/,
      [token],
    );
    await assertRefused([setupWith(), upgradeWith({ url, headers: { cookie } })], /allowed origins \(ALLOWED_ORIGINS\); got no Origin header/, [token]);
    await assertRefused(
      [setupWith(), upgradeWith({ headers: { cookie, origin: 'https://app.example.evil.example' } })],
      /got Origin "https:\/\/app\.example\.evil\.example"/,
    );
  });

  it('accepts the cookie from every allowed Origin, quoted or not', async () => {
    const token = await signToken({ sub: 'carol' });
    for (const [origin, cookie] of [[APP_ORIGIN, `access_token=${token}`], ['https://admin.example', `a=b;access_token="${token}"`]] as const) {
      const result = await identity.resolve(setupWith(), upgradeWith({ headers: { cookie, origin } }));
      assert.equal(result.userId, 'carol');
    }
  });

  it('ignores an Authorization header of another scheme', async () => {
    const token = await signToken({ sub: 'dave' });
    const upgrade = upgradeWith({ url: `/rsocket?access_token=${token}`, headers: { authorization: 'Basic ZGF2ZTpwdw==' } });
    assert.equal((await identity.resolve(setupWith(), upgrade)).userId, 'dave');
  });

  it('refuses SETUP authentication metadata that is not bearer', async () => {
    const metadata = encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION, encodeSimpleAuthMetadata('alice', 'pw')]]);
    await assertRefused([setupWith({ metadata }), upgradeWith()], /must use the bearer auth type/);
  });

  it('keeps malformed SETUP data and metadata INVALID_SETUP', async () => {
    const token = await signToken();
    const cases: SetupFrame[] = [
      setupWith({ data: Buffer.from('{not json'), metadata: bearerMetadata(token) }),
      setupWith({ data: { token: 42 } }),
      setupWith({ metadata: Buffer.from([0x7f]) }),
    ];
    for (const setup of cases) {
      await assert.rejects(Promise.resolve().then(() => identity.resolve(setup, upgradeWith())), (error: unknown) => {
        assert.ok(error instanceof RSocketEndError);
        assert.equal(error.reason, 'invalid-setup');
        assert.equal(error.rsocketCode, 0x1);
        return true;
      });
    }
  });
});
