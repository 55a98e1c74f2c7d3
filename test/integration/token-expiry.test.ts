import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { startService } from '../support/service.js';
import { connectModern } from '../support/rsocket-clients.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'token-expiry-test-secret-0123456789abcdef';

async function tokenFor(sub: string, exp: number): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));
}

describe('token expiry', () => {
  it('a live connection is ended with [token-expired] when its token expires (exp + the 30 s skew)', async () => {
    const service = await startService({ AUTH_JWT_SECRET: SECRET });
    // Accepted thanks to the 30 s skew, it runs out about 2 s from now.
    const expiring = await connectModern(service.wsUrl, { setupData: { token: await tokenFor('alice', Math.floor(Date.now() / 1000) - 28) } });
    const lasting = await connectModern(service.wsUrl, { setupData: { token: await tokenFor('bob', Math.floor(Date.now() / 1000) + 3_600) } });
    assert.equal((await expiring.session()).userId, 'alice');
    assert.equal((await lasting.session()).userId, 'bob');

    await waitFor(() => expiring.error !== undefined, 'the expiring connection to end', 6_000);
    assert.match(expiring.error?.message ?? '', /\[token-expired\]/);
    assert.equal(lasting.error, undefined, 'a connection with a valid token stays');
    assert.equal(await service.metric('transport_connections'), 1);
  });
});
