/**
 * What both ceilings share (bench/ceiling/plain-ws-server.ts, bench/ceiling/durable-ws-server.ts): plain `ws` +
 * ioredis per-user channels + node:http, written the way a competent engineer would write it when speed is the only
 * goal. The two differ only in how a notification is committed to Redis.
 *
 *   POST /api/v1/notifications  {"userId","type","payload"}  -> commits {"id","userId","type","payload","createdAt"}
 *                                                               to the user's channel `u:{<userId>}` and answers
 *                                                               202 {"id"} once Redis took it
 *   GET  /stats                                               -> {"connections","channels","messages"} (messages: Pub/Sub
 *                                                               messages the subscriber connection received)
 *   WS   /ws?user=<id>                                        -> every message on the user's channel, as a text frame
 *
 * One command and one subscriber connection; a user's channel is subscribed while at least one of the user's
 * sockets is on this process. Listens on PORT (default 0) on 127.0.0.1 and prints `{"port":N}` once it listens.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Commits one notification for `userId` and resolves with its id once Redis took it. `fields` is the notification's
 * JSON object without its id (`{"userId":…,"type":…,"payload":…,"createdAt":…}`); what goes out on `channel` is the
 * same object with `"id"` first.
 */
export type Commit = (userId: string, channel: string, fields: string) => Promise<string>;

/** The channel a user's notifications are published on; its hash tag is the user id. */
const channelOf = (userId: string): string => `u:{${userId}}`;

function reply(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function userOf(url: string | undefined): string | undefined {
  const at = url?.indexOf('user=') ?? -1;
  if (url === undefined || at === -1) return undefined;
  const end = url.indexOf('&', at);
  const user = decodeURIComponent(url.slice(at + 5, end === -1 ? undefined : end));
  return user === '' ? undefined : user;
}

/** Starts a ceiling server that commits each accepted notification with the `Commit` made for its command connection. */
export function serveCeiling(committer: (commands: Redis) => Commit): void {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const commands = new Redis(redisUrl);
  const commit = committer(commands);
  const subscriber = new Redis(redisUrl);
  /** Local sockets by channel name. */
  const local = new Map<string, Set<WebSocket>>();
  const stats = { connections: 0, channels: 0, messages: 0 };

  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    stats.messages += 1;
    const sockets = local.get(channel.toString());
    if (sockets === undefined) return;
    // The published JSON goes out as it came: one text frame per socket, no decode and re-encode.
    for (const socket of sockets) socket.send(message, { binary: false });
  });
  commands.on('error', (error: Error) => process.stderr.write(`commands: ${error.message}\n`));
  subscriber.on('error', (error: Error) => process.stderr.write(`subscriber: ${error.message}\n`));

  const accept = (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: { userId?: unknown; type?: unknown; payload?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString()) as typeof body;
      } catch {
        reply(response, 400, '{"error":"body is not JSON"}');
        return;
      }
      const { userId, type, payload } = body;
      if (typeof userId !== 'string' || userId === '' || typeof type !== 'string' || typeof payload !== 'object' || payload === null) {
        reply(response, 400, '{"error":"userId, type and payload are required"}');
        return;
      }
      const fields = JSON.stringify({ userId, type, payload, createdAt: new Date().toISOString() });
      commit(userId, channelOf(userId), fields).then(
        (id) => reply(response, 202, `{"id":"${id}"}`),
        () => reply(response, 503, '{"error":"redis unavailable"}'),
      );
    });
  };

  const server = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/api/v1/notifications') {
      accept(request, response);
    } else if (request.method === 'GET' && request.url === '/stats') {
      reply(response, 200, JSON.stringify(stats));
    } else {
      reply(response, 404, '{"error":"not found"}');
    }
  });

  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (socket, request) => {
    const user = userOf(request.url);
    if (user === undefined) {
      socket.close(1008, 'user required');
      return;
    }
    const channel = channelOf(user);
    stats.connections += 1;
    let sockets = local.get(channel);
    if (sockets === undefined) {
      sockets = new Set();
      local.set(channel, sockets);
      subscriber.subscribe(channel).then(
        (count) => (stats.channels = Number(count)),
        (error: unknown) => process.stderr.write(`subscribe ${channel}: ${String(error)}\n`),
      );
    }
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      stats.connections -= 1;
      const mine = local.get(channel);
      if (mine === undefined || !mine.delete(socket) || mine.size > 0) return;
      local.delete(channel);
      subscriber.unsubscribe(channel).then(
        (count) => (stats.channels = Number(count)),
        (error: unknown) => process.stderr.write(`unsubscribe ${channel}: ${String(error)}\n`),
      );
    });
  });

  // Exit through 'exit' handlers on SIGTERM (a profiler preloaded with NODE_OPTIONS=--require gets to write its file).
  process.on('SIGTERM', () => process.exit(0));

  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
}
