import { onCleanup } from './cleanup.js';
import { createLogger, loadConfig, TransportServer } from '@notification-transport/transport-service';
import type { PostOutcome } from './initiator.js';

/** A running transport-service instance on a free port, closed when the test file ends. */
export interface RunningService {
  server: TransportServer;
  baseUrl: string;
  wsUrl: string;
  /** POSTs a notification and returns the status and body. */
  send(body: unknown, headers?: Record<string, string>): Promise<PostOutcome>;
  /** Reads one metric's value from `/metrics` (summing all label sets). */
  metric(name: string): Promise<number>;
}

/** Starts an instance in this process with `env` on top of test defaults (port 0, silent logs). */
export async function startService(env: Record<string, string> = {}): Promise<RunningService> {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', INSTANCE_ID: 'test-instance', ...env });
  const server = new TransportServer(config, createLogger(config.logLevel, config.instanceId));
  await server.start();
  onCleanup(() => server.close());
  const baseUrl = `http://127.0.0.1:${server.port}`;
  return {
    server,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${server.port}/rsocket`,
    async send(body, headers = {}) {
      const response = await fetch(`${baseUrl}/api/v1/notifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as PostOutcome['body'] };
    },
    async metric(name) {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return total;
    },
  };
}
