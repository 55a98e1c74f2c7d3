import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { MemoryBroker } from '../../src/broker/memory-broker.js';
import { createHttpApp, type HttpAppDeps } from '../../src/http/create-http-app.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { NotificationPublisher } from '../../src/notifications/notification-publisher.js';

/** One delivery the broker handed to this instance's listener. */
export interface RecordedDelivery {
  userId: string;
  id: string;
  data: string;
}

/** A REST app on a real socket (port 0) with a real in-process broker and publisher. */
export interface TestServer {
  url: string;
  port: number;
  broker: MemoryBroker;
  deliveries: RecordedDelivery[];
  /** Every JSON log line the app wrote. */
  logs: string[];
  close(): Promise<void>;
}

/** Options a test may override; the rest are the service's defaults. */
export type TestServerOptions = Partial<Pick<HttpAppDeps, 'maxBodyBytes' | 'initiatorApiKeys' | 'isReady'>> & {
  /** `MAX_FANOUT_BYTES` (default: the service's). */
  maxFanoutBytes?: number;
};

/** Starts the app; callers register `close` as cleanup. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const deliveries: RecordedDelivery[] = [];
  const logs: string[] = [];
  const broker = new MemoryBroker((userId, delivery) => {
    deliveries.push({ userId, id: delivery.id, data: delivery.data.toString('utf8') });
  }, { maxLen: 100, idempotencyTtlSeconds: 86_400 });
  const metrics = new Metrics({ connections: () => 0, streams: () => 0, users: () => 0 }, 'test');
  const rest = createHttpApp({
    publisher: new NotificationPublisher(broker, {
      defaultTtlSeconds: 300,
      maxFanoutBytes: options.maxFanoutBytes ?? 1_073_741_824,
      onAccepted: () => metrics.accepted.inc(),
    }),
    isReady: options.isReady ?? (() => (broker.connected ? { ready: true } : { ready: false, reason: 'the broker is closed' })),
    metrics,
    maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
    initiatorApiKeys: options.initiatorApiKeys ?? [],
    logger: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }),
  });
  const server = createServer(rest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, broker, deliveries, logs, close: () => closeServer(server, broker) };
}

async function closeServer(server: Server, broker: MemoryBroker): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await broker.close();
}

/** POSTs `body` (a string sent verbatim) as JSON to the notifications route. */
export function postNotification(server: TestServer, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/v1/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}
