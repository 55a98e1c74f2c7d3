import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_DEFAULTS, ClientOptionsError, resolveClientOptions, type WebSocketConstructor } from '../../src/client-options.js';

const WebSocketStub = function WebSocketStub() {} as unknown as WebSocketConstructor;
const base = { url: 'ws://localhost:8080/rsocket', WebSocket: WebSocketStub };

function rejects(options: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(() => resolveClientOptions({ ...base, ...options }), (error: unknown) => error instanceof ClientOptionsError && pattern.test(error.message));
}

describe('resolveClientOptions', () => {
  it('applies defaults whose keepalive sits well below common proxy idle timeouts', () => {
    const resolved = resolveClientOptions(base);
    assert.equal(resolved.keepAlive, 15_000);
    assert.equal(resolved.lifetime, 45_000);
    assert.equal(resolved.creditWindow, CLIENT_DEFAULTS.creditWindow);
    assert.deepEqual(resolved.backoff, { baseMs: 1_000, maxMs: 30_000 });
    assert.deepEqual(resolved.urls, [base.url]);
    assert.equal(resolved.debug, false);
  });

  it('keeps lifetime at least twice keepAlive when only keepAlive is given', () => {
    assert.equal(resolveClientOptions({ ...base, keepAlive: 30_000 }).lifetime, 60_000);
  });

  it('names the option and what is allowed for each bad value', () => {
    rejects({ url: 'http://x/rsocket' }, /"url" must be ws:\/\/ or wss:\/\/ URLs/);
    rejects({ url: [] }, /"url" must list at least one URL/);
    rejects({ keepAlive: 500 }, /"keepAlive" must be an integer from 1000 to 30000/);
    rejects({ keepAlive: 10_000, lifetime: 15_000 }, /"lifetime" must be an integer from 20000 to 300000/);
    rejects({ creditWindow: 0 }, /"creditWindow"/);
    rejects({ userId: 'a{b}' }, /"userId" must not contain/);
    rejects({ token: 'abc' }, /"token" must be a function/);
    rejects({ lastEventId: 'yesterday' }, /"lastEventId" must be a notification id/);
    rejects({ reconnect: { baseMs: 5_000, maxMs: 1_000 } }, /"reconnect.maxMs" must be an integer from 5000/);
  });

  it('requires a WebSocket where there is no global one, and a URL outside a page', () => {
    const hadWebSocket = 'WebSocket' in globalThis;
    if (!hadWebSocket) {
      assert.throws(() => resolveClientOptions({ url: base.url }), /"WebSocket" is required where there is no global WebSocket/);
    }
    assert.throws(() => resolveClientOptions({ WebSocket: WebSocketStub }), /"url" is required outside a browser page/);
  });
});
