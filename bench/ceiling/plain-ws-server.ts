/**
 * The plain ceiling (README "Benchmarks"): bench/ceiling/ceiling-server.ts committing each notification with one
 * PUBLISH on the user's channel, its id a random UUID. Keeps no history.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node --import tsx bench/ceiling/plain-ws-server.ts
 */
import { randomUUID } from 'node:crypto';
import { serveCeiling } from './ceiling-server.js';

serveCeiling((commands) => async (_userId, channel, fields) => {
  const id = randomUUID();
  await commands.publish(channel, `{"id":"${id}",${fields.slice(1)}`);
  return id;
});
