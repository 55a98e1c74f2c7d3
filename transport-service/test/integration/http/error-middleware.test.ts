import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import Koa from 'koa';
import { pino } from 'pino';
import { BrokerUnavailableError, InvalidBodyError } from '../../../src/errors/transport-error.js';
import { errorMiddleware } from '../../../src/http/error-middleware.js';
import { assertRestError } from '../../support/rest-assertions.js';

/** Serves one Koa app whose only route throws what `fail` throws, behind the error middleware. */
async function serveThrowing(fail: (ctx: Koa.Context) => void, logs: string[]): Promise<{ url: string; server: Server }> {
  const app = new Koa();
  app.silent = true;
  app.use(errorMiddleware(pino({ level: 'info' }, { write: (line: string) => void logs.push(line) })));
  app.use((ctx) => {
    ctx.set('Content-Type', 'text/plain');
    fail(ctx);
  });
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the error middleware', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  async function run(fail: (ctx: Koa.Context) => void): Promise<{ res: Response; logs: string[] }> {
    const logs: string[] = [];
    const { url, server } = await serveThrowing(fail, logs);
    servers.push(server);
    return { res: await fetch(url), logs };
  }

  it('maps a TransportError to its status and code', async () => {
    const { res, logs } = await run(() => {
      throw new InvalidBodyError('type is required');
    });
    await assertRestError(res, 400, 'invalid_body', /^type is required$/);
    assert.deepEqual(logs, []);
  });

  it('maps BrokerUnavailableError to 503', async () => {
    const { res } = await run(() => {
      throw new BrokerUnavailableError('redis down');
    });
    await assertRestError(res, 503, 'broker_unavailable', /redis down/);
  });

  it('maps an exposed Koa 4xx to a JSON error with the same status', async () => {
    const cases: Array<[number, string]> = [
      [400, 'invalid_body'],
      [404, 'not_found'],
      [413, 'payload_too_large'],
      [415, 'unsupported_media_type'],
      [422, 'invalid_body'],
    ];
    for (const [status, code] of cases) {
      const { res, logs } = await run((ctx) => ctx.throw(status, `bad thing ${status}`));
      await assertRestError(res, status, code, new RegExp(`^bad thing ${status}$`));
      assert.deepEqual(logs, []);
    }
  });

  it('turns any other error into a logged 500 internal_error that reveals nothing', async () => {
    const { res, logs } = await run(() => {
      throw new Error('secret detail');
    });
    const message = await assertRestError(res, 500, 'internal_error', /internal error/);
    assert.ok(!message.includes('secret'));
    assert.equal(logs.length, 1);
    const entry = JSON.parse(logs[0] ?? '') as { level: number; err: { message: string } };
    assert.equal(entry.level, 50);
    assert.equal(entry.err.message, 'secret detail');
  });

  it('treats an unexposed or 5xx Koa error as internal', async () => {
    for (const fail of [(ctx: Koa.Context) => ctx.throw(500, 'db password'), (ctx: Koa.Context) => ctx.throw(400, 'hidden', { expose: false })]) {
      const { res, logs } = await run(fail);
      await assertRestError(res, 500, 'internal_error', /internal error/);
      assert.equal(logs.length, 1);
    }
  });
});
