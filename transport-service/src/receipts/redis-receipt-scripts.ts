/**
 * Receipt creation inside the broker's COMMIT script, run only when ARGV[3] is '1' (a notification without a receipt
 * pays one comparison). It reads the script's `id` (whose millisecond part is Redis's clock at the append), `ttl` (ms),
 * `receivers` and `base` (how many keys precede the receipt's).
 * KEYS[base + 1]: the user's receipt key prefix `nt:{user}:r:` (the receipt `<prefix><id>` and the user's
 * pending-expiry set `<prefix>due` live in the user's slot); KEYS[base + 2]: the global index of users with something
 * due, passed and written here only when ARGV[6] is '1' (one Redis; in Cluster mode it is another slot and the caller
 * writes it after).
 * ARGV: [4] user id, [5] initiator scope, [6] index here, [7] receipt ttl ms, [8] live-only grace ms, [9] type,
 * [10] createdAt. The receipt expires with its notification's recoverability: now + ttl, or for a live-only one
 * (ttl 0) now when nobody was online, else now + grace.
 */
export const RECEIPT_ON_COMMIT = `
if receipt then
  local now = tonumber(string.match(id, '^(%d+)'))
  local prefix = KEYS[base + 1]
  local expires = now + ttl
  if ttl == 0 and receivers > 0 then expires = now + tonumber(ARGV[8]) end
  local key = prefix .. id
  redis.call('HSET', key, 'u', ARGV[4], 't', ARGV[9], 'c', ARGV[10], 's', ARGV[5], 'st', 'pending', 'x', expires)
  local kept = tonumber(ARGV[7]) + (expires - now)
  redis.call('PEXPIRE', key, kept)
  local due = prefix .. 'due'
  redis.call('ZADD', due, expires, id)
  redis.call('PEXPIRE', due, math.max(kept, redis.call('PTTL', due)))
  if ARGV[6] == '1' then redis.call('ZADD', KEYS[base + 2], 'LT', expires, ARGV[4]) end
end
`;

/** `next_due(prefix)`: the user's next due ms (an expiry or a webhook event), or '' when nothing is due. */
const NEXT_DUE_FUNCTION = `
local function next_due(prefix)
  local a = redis.call('ZRANGE', prefix .. 'due', 0, 0, 'WITHSCORES')
  local b = redis.call('ZRANGE', prefix .. 'out', 0, 0, 'WITHSCORES')
  local best = nil
  if a[2] then best = tonumber(a[2]) end
  if b[2] and (best == nil or tonumber(b[2]) < best) then best = tonumber(b[2]) end
  if best == nil then return '' end
  return string.format('%d', best)
end
`;

/**
 * What the change scripts share. KEYS[1]: the user's receipt prefix; KEYS[2]: the global index (only with ARGV[6]).
 * ARGV: [1] user id, [2] now ms, [3] now ISO-8601, [4] '1' when the webhook is on, [5] receipt ttl ms, [6] '1' to
 * write the index here, [7] the change channel.
 * `move` takes one receipt forward (pending → delivered → read, read setting deliveredAt too when missing; pending →
 * expired), keeps it another ttl and enqueues its webhook event (`<prefix>out`: event → due ms, `<prefix>ev`:
 * event → body, `<event>#n` → attempts) in the same step. `announce` publishes the changed ids on the change
 * channel (plain PUBLISH: it reaches every node of a Cluster).
 */
const CHANGE_FUNCTIONS = `
local prefix, user = KEYS[1], ARGV[1]
local at, at_iso, webhook, kept, indexed = tonumber(ARGV[2]), ARGV[3], ARGV[4] == '1', tonumber(ARGV[5]), ARGV[6] == '1'
local function keep(key) redis.call('PEXPIRE', key, math.max(kept, redis.call('PTTL', key))) end
local function enqueue(id, rtype, state)
  if not webhook then return end
  local event = redis.sha1hex(user .. '\\n' .. id .. '\\n' .. state)
  local body = '{"event":"' .. event .. '","userId":' .. cjson.encode(user) .. ',"id":"' .. id .. '","type":' ..
    cjson.encode(rtype) .. ',"state":"' .. state .. '","at":"' .. at_iso .. '"}'
  redis.call('ZADD', prefix .. 'out', at, event)
  redis.call('HSET', prefix .. 'ev', event, body)
  keep(prefix .. 'out')
  keep(prefix .. 'ev')
  if indexed then redis.call('ZADD', KEYS[2], 'LT', at, user) end
end
local function move(id, target)
  local key = prefix .. id
  local r = redis.call('HMGET', key, 'st', 't', 'd')
  local state = r[1]
  if not state then return false end
  local forward = (state == 'pending') or (target == 'read' and state == 'delivered')
  if not forward then return false end
  redis.call('HSET', key, 'st', target)
  if target == 'delivered' or (target == 'read' and not r[3]) then redis.call('HSET', key, 'd', at_iso) end
  if target == 'read' then redis.call('HSET', key, 'r', at_iso) end
  redis.call('ZREM', prefix .. 'due', id)
  redis.call('PEXPIRE', key, kept)
  enqueue(id, r[2], target)
  return true
end
local function announce(changed)
  if #changed > 0 then redis.call('PUBLISH', ARGV[7], user .. '\\n' .. table.concat(changed, ',')) end
end
${NEXT_DUE_FUNCTION}`;

/** CONFIRM: a client's confirmation, one step per frame. ARGV[8]: `delivered` or `read`; ARGV[9..]: ids. Returns the ids changed. */
export const CONFIRM_SCRIPT = `${CHANGE_FUNCTIONS}
local changed = {}
for i = 9, #ARGV do
  if move(ARGV[i], ARGV[8]) then changed[#changed + 1] = ARGV[i] end
end
announce(changed)
return changed
`;

/**
 * SWEEP_USER: one user's due work. Expires due `pending` receipts (ARGV[10] at most), then claims due webhook
 * events (ARGV[9] at most) by moving their due time ARGV[8] ms ahead (a lease: an instance that dies holding
 * them lets them fall due again). Returns {expired count, the user's next due ms or '', event, body, attempt, ...}.
 */
export const SWEEP_USER_SCRIPT = `${CHANGE_FUNCTIONS}
local changed = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'due', '-inf', at, 'LIMIT', 0, tonumber(ARGV[10]))) do
  if move(id, 'expired') then changed[#changed + 1] = id end
  redis.call('ZREM', prefix .. 'due', id)
end
announce(changed)
local claimed = {}
for _, event in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'out', '-inf', at, 'LIMIT', 0, tonumber(ARGV[9]))) do
  local body = redis.call('HGET', prefix .. 'ev', event)
  if body then
    redis.call('ZADD', prefix .. 'out', at + tonumber(ARGV[8]), event)
    claimed[#claimed + 1] = event
    claimed[#claimed + 1] = body
    claimed[#claimed + 1] = redis.call('HINCRBY', prefix .. 'ev', event .. '#n', 1)
  else
    redis.call('ZREM', prefix .. 'out', event)
  end
end
local out = {#changed, next_due(prefix)}
for _, v in ipairs(claimed) do out[#out + 1] = v end
return out
`;

/** NEXT_DUE: the user's next due ms or ''. KEYS[1]: the user's receipt prefix. */
export const NEXT_DUE_SCRIPT = `${NEXT_DUE_FUNCTION}
return next_due(KEYS[1])
`;

/** ACKNOWLEDGE: the event reached the webhook. KEYS[1]: the user's receipt prefix. ARGV[1]: event. */
export const ACKNOWLEDGE_SCRIPT = `
redis.call('ZREM', KEYS[1] .. 'out', ARGV[1])
redis.call('HDEL', KEYS[1] .. 'ev', ARGV[1], ARGV[1] .. '#n')
return 1
`;

/** RETRY: the event is due again at ARGV[2] ms, if it is still held (returns 1, else 0). KEYS[1]: the user's receipt prefix. ARGV[1]: event. */
export const RETRY_SCRIPT = `
if not redis.call('ZSCORE', KEYS[1] .. 'out', ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1] .. 'out', ARGV[2], ARGV[1])
return 1
`;

/** LEASE: takes or renews the sweep lease. KEYS[1]: the lease. ARGV: holder, ms. Returns 1 when held by the caller. */
export const LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;
