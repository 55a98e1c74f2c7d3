import { RECEIPT_ON_COMMIT } from '../receipts/redis-receipt-scripts.js';

/**
 * COMMIT, run atomically by Redis: idempotency check, history append (XADD trimmed to a max length, each entry with
 * its own recoverability deadline), expiry, publish to the user's channel and the idempotency record — one step,
 * so a retry on another instance after a crash delivers once.
 * It also keeps the history's meta hash: `born` (the first id this history held) and `trimmed` (the newest id
 * trimming dropped) — Redis 7.0's XINFO does not count MAXLEN trims in max-deleted-entry-id.
 * The notification's JSON after the id comes inline (ARGV[2]) or, for a request to several users, as a content key
 * stored once for all of them (KEYS[5], when ARGV[8] is '1'): the entry then keeps field `r` (the key) instead of
 * `s` (the JSON), the content's expiry is stretched to cover this entry's deadline plus a grace for live readers,
 * and the message published is `<id> <content key>` (instances read the content once) instead of the JSON.
 * KEYS: history, meta, idempotency record (used only when ARGV[5] is '1'), last id (kept for the idempotency ttl),
 * shared content (used only when ARGV[8] is '1').
 * ARGV: channel, JSON suffix after the id, max length, entry ttl ms, use idempotency, idempotency ttl s, the
 * publish command (PUBLISH, or SPUBLISH in Cluster mode where the channel shares the user's slot), use shared
 * content, content grace ms.
 * With a receipt asked, KEYS 6–7 and ARGV 10–17 create it in the same step (`RECEIPT_ON_COMMIT`).
 * Returns "<id>|1" when some instance was subscribed to the user's channel, "<id>|0" otherwise; an error starting
 * with NTCONTENT when the shared content is gone (the request is retried as a whole).
 */
export const COMMIT_SCRIPT = `
if ARGV[5] == '1' then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then return earlier end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[4])
local shared = ARGV[8] == '1'
local field, content = 's', ARGV[2]
if shared then
  local left = redis.call('PTTL', KEYS[5])
  if left == -2 then return redis.error_reply('NTCONTENT the notification content is gone') end
  local need = ttl + tonumber(ARGV[9])
  if left < need then redis.call('PEXPIRE', KEYS[5], need) end
  field, content = 'r', KEYS[5]
end
local len = redis.call('XLEN', KEYS[1])
local maxlen = tonumber(ARGV[3])
if len >= maxlen then
  local dropped = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', len - maxlen + 1)
  redis.call('HSET', KEYS[2], 'trimmed', dropped[#dropped][1])
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '=', maxlen, '*', field, content, 'e', tostring(now + ttl))
if len == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[2], 'born', id)
end
local keep = math.max(ttl, redis.call('PTTL', KEYS[1]), 1000)
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
local message
if shared then message = id .. ' ' .. KEYS[5] else message = '{"id":"' .. id .. '"' .. ARGV[2] end
local receivers = redis.call(ARGV[7], ARGV[1], message)
redis.call('SET', KEYS[4], id, 'EX', ARGV[6])
local result = id .. '|' .. (receivers > 0 and '1' or '0')
${RECEIPT_ON_COMMIT}
if ARGV[5] == '1' then redis.call('SET', KEYS[3], result, 'EX', ARGV[6]) end
return result
`;

/**
 * REPLAY: the entries after an id that are still recoverable, and whether the history provably reaches back to
 * that id — nothing was committed after it at all, or the history exists, was born at or before it, and never
 * trimmed anything after it.
 * An entry that references shared content (field `r`) is read from it (once per content); one whose content is
 * gone (evicted before its entries) is left out and makes the replay incomplete.
 * KEYS: history, meta, last id. ARGV: the id. Returns {complete (0/1), newest id or '', id1, suffix1, ...}.
 */
export const REPLAY_SCRIPT = `
local function older_or_equal(a, b)
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
  return ams < bms or (ams == bms and aseq <= bseq)
end
local last = redis.call('GET', KEYS[3]) or ''
if last ~= '' and older_or_equal(last, ARGV[1]) then return {1, last} end
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, last} end
local meta = redis.call('HMGET', KEYS[2], 'born', 'trimmed')
local born, trimmed = meta[1], meta[2] or '0-0'
local complete = 0
if born and older_or_equal(born, ARGV[1]) and older_or_equal(trimmed, ARGV[1]) then complete = 1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {complete, last}
local contents = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+')) do
  local fields = entry[2]
  local suffix, ref, deadline = nil, nil, 0
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == 's' then suffix = fields[i + 1] elseif name == 'r' then ref = fields[i + 1] elseif name == 'e' then deadline = tonumber(fields[i + 1]) end
  end
  if deadline > now then
    if ref then
      if contents[ref] == nil then contents[ref] = redis.call('GET', ref) end
      suffix = contents[ref]
      if not suffix then out[1] = 0 end
    end
    if suffix then
      out[#out + 1] = entry[1]
      out[#out + 1] = suffix
    end
  end
end
return out
`;

/**
 * CLAIM: the request-level idempotency record. KEYS: claim. ARGV: request hash, ttl s.
 * Returns 'new', 'repeat' or 'conflict'.
 */
export const CLAIM_SCRIPT = `
local earlier = redis.call('GET', KEYS[1])
if not earlier then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 'new'
end
if earlier == ARGV[1] then return 'repeat' end
return 'conflict'
`;
