import type { RouteHandler } from './route-table.js';

/** `GET /healthz`: the process lives and serves HTTP. */
export const healthzHandler: RouteHandler = (ctx) => {
  ctx.body = { status: 'ok' };
};

/** `GET /readyz`: 200 while the instance can deliver (broker connected, not draining), else 503. */
export function readyzHandler(isReady: () => boolean): RouteHandler {
  return (ctx) => {
    const ready = isReady();
    ctx.body = { status: ready ? 'ready' : 'not-ready' };
    ctx.status = ready ? 200 : 503;
  };
}
