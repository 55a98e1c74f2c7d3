import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRestError } from '../../support/rest-assertions.js';
import { postNotification, startTestServer, type TestServer } from '../../support/http-test-server.js';

const VALID = JSON.stringify({ userId: 'alice', type: 'order.updated', payload: {} });
const KEYS = ['key-one', 'a-much-longer-second-key-0123456789'];

describe('initiator keys', () => {
  describe('with none configured', () => {
    let server: TestServer;
    before(async () => (server = await startTestServer()));
    after(() => server.close());

    it('leaves REST open', async () => {
      assert.equal((await postNotification(server, VALID)).status, 202);
      assert.equal((await postNotification(server, VALID, { authorization: 'Bearer anything' })).status, 202);
    });
  });

  describe('with keys configured', () => {
    let server: TestServer;
    before(async () => (server = await startTestServer({ initiatorApiKeys: KEYS })));
    after(() => server.close());

    it('answers 401 to a missing Authorization header, with WWW-Authenticate', async () => {
      const res = await postNotification(server, VALID);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      await assertRestError(res, 401, 'unauthorized', /missing initiator key/);
    });

    it('answers 401 to an unknown key without echoing it', async () => {
      for (const key of ['key-on', 'key-one-', 'KEY-ONE', 'nope']) {
        const message = await assertRestError(
          await postNotification(server, VALID, { authorization: `Bearer ${key}` }),
          401,
          'unauthorized',
          /^unknown initiator key$/,
        );
        assert.ok(!message.includes(key));
      }
    });

    it('answers 401 to another scheme or a bare key', async () => {
      for (const authorization of ['Basic a2V5LW9uZQ==', 'key-one', 'Bearer', 'Bearer key-one extra']) {
        await assertRestError(await postNotification(server, VALID, { authorization }), 401, 'unauthorized', /Bearer <key>/);
      }
    });

    it('checks the key before reading the body', async () => {
      await assertRestError(await postNotification(server, '{not json'), 401, 'unauthorized', /missing initiator key/);
    });

    it('accepts every configured key, scheme case-insensitively', async () => {
      for (const authorization of ['Bearer key-one', `Bearer ${KEYS[1]}`, 'bearer key-one']) {
        assert.equal((await postNotification(server, VALID, { authorization })).status, 202, authorization);
      }
    });

    it('leaves the probes and metrics open', async () => {
      for (const path of ['/healthz', '/readyz', '/metrics']) assert.equal((await fetch(`${server.url}${path}`)).status, 200);
    });

    it('never logs a key', () => {
      for (const key of KEYS) assert.ok(!server.logs.some((line) => line.includes(key)));
    });
  });
});
