import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { postNotification, startTestServer } from '../../support/http-test-server.js';

describe('a payload nested deeper than JSON.stringify can walk', () => {
  it('is a 400 naming the payload, never a 500', async () => {
    const server = await startTestServer();
    after(() => server.close());
    const depth = 200_000;
    const body = `{"userId":"a","type":"t","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const response = await postNotification(server, body);
    assert.equal(response.status, 400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'invalid_body');
    assert.match(error.message, /payload is nested too deeply/);
  });
});
