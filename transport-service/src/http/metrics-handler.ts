import type { Metrics } from '../metrics/metrics.js';
import type { RouteHandler } from './route-table.js';

/** `GET /metrics`: the registry in Prometheus text format. */
export function metricsHandler(metrics: Metrics): RouteHandler {
  return async (ctx) => {
    const text = await metrics.registry.metrics();
    ctx.set('Content-Type', metrics.registry.contentType);
    ctx.body = text;
  };
}
