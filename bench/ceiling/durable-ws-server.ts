/**
 * The durable ceiling (README "Benchmarks"): bench/ceiling/ceiling-server.ts committing each notification with ONE
 * EVALSHA that appends it to the user's history stream and publishes it with the stream id as its id:
 *
 *   XADD h:{<userId>} MAXLEN ~ 100 * p <notification>;  EXPIRE h:{<userId>} 300;  PUBLISH u:{<userId>} <with "id">
 *
 * The floor for any system that keeps a recovery history: four Redis commands per notification, one round trip.
 * The history's length and lifetime are the product's defaults (HISTORY_MAX_LEN 100, HISTORY_TTL_SECONDS 300).
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node --import tsx bench/ceiling/durable-ws-server.ts
 */
import type { Redis } from 'ioredis';
import { serveCeiling } from './ceiling-server.js';

const HISTORY_MAX_LEN = 100;
const HISTORY_TTL_SECONDS = 300;

/** KEYS: history stream, channel. ARGV: notification JSON without its id, MAXLEN, TTL. Returns the stream id. */
const COMMIT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'p', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], '{"id":"' .. id .. '",' .. string.sub(ARGV[1], 2))
return id`;

/** ioredis sends a defined command as EVALSHA (EVAL once, when Redis does not have the script yet). */
interface DurableCommands extends Redis {
  commitNotification(history: string, channel: string, fields: string, maxLen: number, ttl: number): Promise<string>;
}

serveCeiling((commands) => {
  commands.defineCommand('commitNotification', { numberOfKeys: 2, lua: COMMIT });
  const durable = commands as DurableCommands;
  return (userId, channel, fields) => durable.commitNotification(`h:{${userId}}`, channel, fields, HISTORY_MAX_LEN, HISTORY_TTL_SECONDS);
});
