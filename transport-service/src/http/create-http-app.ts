import type { RequestListener } from 'node:http';
import { REST_PATHS } from '@notification-transport/contract';
import Koa from 'koa';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { demoAssetHandlers } from './demo-assets.js';
import { errorMiddleware } from './error-middleware.js';
import { InitiatorAuth } from './initiator-auth.js';
import { restListener } from './rest-listener.js';
import { metricsHandler } from './metrics-handler.js';
import { healthzHandler, readyzHandler, type Readiness } from './probe-handlers.js';
import { RouteTable } from './route-table.js';
import { receiptHandler, type ReceiptReader } from './receipt-handler.js';
import { sendNotificationHandler, type NotificationSender } from './send-notification-handler.js';

/** Everything the REST layer touches, injected by the composition root. */
export interface HttpAppDeps {
  publisher: NotificationSender;
  /** Serves `GET …/{userId}/{id}/receipt`. */
  receipts?: ReceiptReader;
  /** Whether the instance can deliver now (broker connected and answering, not draining), and if not, why. */
  isReady: () => Readiness;
  metrics: Metrics;
  maxBodyBytes: number;
  /** Accepted initiator keys; empty leaves REST open. */
  initiatorApiKeys: readonly string[];
  /** Serve the development demo page at `/`. */
  demoPage?: boolean;
  logger: Logger;
}

/**
 * The REST API as a Koa app, mounted with `http.createServer(createHttpApp(deps))`. `POST /api/v1/notifications`, the
 * hot path, is answered on a Koa context by its handler without the middleware chain ({@link restListener}); every
 * other request passes the error boundary and the route table. Nothing is logged for requests that succeed or fail
 * on bad input.
 */
export function createHttpApp(deps: HttpAppDeps): RequestListener {
  const logger = deps.logger.child({ module: 'http' });
  const app = new Koa();
  app.silent = true;
  // Errors Koa meets outside the middleware chain (a socket failing mid-response) are the client's going away.
  app.on('error', (err: unknown) => logger.debug({ err }, 'HTTP response failed outside the error boundary'));
  const auth = new InitiatorAuth(deps.initiatorApiKeys);
  const sendNotification = sendNotificationHandler(auth, deps.publisher, deps.maxBodyBytes);
  const routes = new RouteTable()
    .add('POST', REST_PATHS.notifications, sendNotification)
    .add('GET', REST_PATHS.healthz, healthzHandler)
    .add('GET', REST_PATHS.readyz, readyzHandler(deps.isReady))
    .add('GET', REST_PATHS.metrics, metricsHandler(deps.metrics));
  if (deps.demoPage === true) for (const [path, handler] of demoAssetHandlers()) routes.add('GET', path, handler);
  app.use(errorMiddleware(logger));
  if (deps.receipts) app.use(receiptHandler(auth, deps.receipts));
  app.use(routes.middleware());
  return restListener(app, { method: 'POST', path: REST_PATHS.notifications, handler: sendNotification }, logger);
}
