import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long a rejected body may keep arriving after the answer was sent before the connection is cut. */
export const DRAIN_LIMIT_MS = 2_000;

/**
 * Discards the rest of a request body an error answer leaves unread (a 413, or a 401/404/415 before reading), so
 * the answer reaches the client instead of being lost to a TCP reset (RFC 9112 §9.6): the connection keeps
 * reading and stays usable when the body ends, and is destroyed if it is still arriving `limitMs` after the answer.
 */
export function drainRejectedBody(req: IncomingMessage, res: ServerResponse, limitMs = DRAIN_LIMIT_MS): void {
  req.resume();
  if (req.complete) return;
  res.once('finish', () => {
    if (req.complete) return;
    const timer = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, limitMs);
    timer.unref();
    req.once('end', () => clearTimeout(timer));
  });
}
