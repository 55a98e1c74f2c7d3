/**
 * ACQUIRE, atomic per user: drop slots whose lease expired (a crashed instance's), then take a slot, refuse, or
 * take the oldest slots away (evict-oldest). KEYS: slots (ZSET member → acquired at ms), leases (HASH member →
 * lease deadline ms). ARGV: member, max, policy, lease ms. Returns {1, evicted members...} or {0} when refused.
 */
export const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local leases = redis.call('HGETALL', KEYS[2])
for i = 1, #leases, 2 do
  if tonumber(leases[i + 1]) <= now then
    redis.call('ZREM', KEYS[1], leases[i])
    redis.call('HDEL', KEYS[2], leases[i])
  end
end
local count = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[2])
local evicted = {}
if count >= max then
  if ARGV[3] == 'reject-new' then return {0} end
  evicted = redis.call('ZRANGE', KEYS[1], 0, count - max)
  for _, member in ipairs(evicted) do
    redis.call('ZREM', KEYS[1], member)
    redis.call('HDEL', KEYS[2], member)
  end
end
local lease = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], now + lease)
redis.call('PEXPIRE', KEYS[1], 2 * lease)
redis.call('PEXPIRE', KEYS[2], 2 * lease)
local out = {1}
for _, member in ipairs(evicted) do out[#out + 1] = member end
return out
`;

/**
 * REFRESH, atomic per user: extend a live connection's lease. A slot that vanished (Redis restarted, or the lease
 * ran out during a partition) is taken again if there is room. KEYS: slots, leases. ARGV: member, max, lease ms.
 * Returns 1 when the connection holds a slot, 0 when it lost it and there is no room.
 */
export const REFRESH_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[3])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
  redis.call('ZADD', KEYS[1], now, ARGV[1])
end
redis.call('HSET', KEYS[2], ARGV[1], now + lease)
redis.call('PEXPIRE', KEYS[1], 2 * lease)
redis.call('PEXPIRE', KEYS[2], 2 * lease)
return 1
`;
