import type { RouteHandler } from './route-table.js';

/** Whether the instance can deliver now; when not, why, in the product's words (`/readyz` says it). */
export type Readiness = { ready: true } | { ready: false; reason: string };

/** `GET /healthz`: the process lives and serves HTTP. */
export const healthzHandler: RouteHandler = (ctx) => {
  ctx.body = { status: 'ok' };
};

/**
 * `GET /readyz`: 200 `{"status":"ready"}` while the instance can deliver (broker connected and answering within its
 * command timeout, not draining), else 503 `{"status":"not-ready","reason":"..."}`.
 */
export function readyzHandler(readiness: () => Readiness): RouteHandler {
  return (ctx) => {
    const now = readiness();
    ctx.body = now.ready ? { status: 'ready' } : { status: 'not-ready', reason: now.reason };
    ctx.status = now.ready ? 200 : 503;
  };
}
