import { RECEIPT_ON_COMMIT } from '../receipts/redis-receipt-scripts.js';

/** What a commit script bakes into its text: settings fixed for the process, so no call sends them. */
export interface CommitScriptSettings {
  /** Entries kept per history (exact). */
  maxLen: number;
  /** How long the idempotency record and the newest-id key live. */
  idempotencyTtlSeconds: number;
  /** PUBLISH, or SPUBLISH in Cluster mode (the user's channel shares the user's slot). */
  publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** How long shared content outlives the deadline of the newest entry referencing it. */
  contentGraceMs: number;
}

/**
 * COMMIT, run atomically by Redis: idempotency check, history append (XADD trimmed to exactly the max length),
 * expiry, publish to the user's channel and the idempotency record — one step, so a retry on another instance after
 * a crash delivers once.
 * Each entry keeps its ttl in ms (`t`; its deadline is its id's millisecond plus the ttl, so the script needs no
 * TIME) and the id committed just before it for the user (`p`, read from the newest-id key; '' when none is known):
 * replay knows the history reaches back to an id exactly when its oldest entry's `p` is at or before that id.
 * The history's expiry is only ever extended (PEXPIRE GT; a history just created has none yet).
 * The notification's JSON after the id comes inline (ARGV[1]) or, for a request to several users, as a content key
 * stored once for all of them (ARGV[1] is then '' and the content key is the last key): the entry keeps field `r`
 * (the key) instead of `s` (the JSON), the content's expiry is stretched to cover this entry's deadline plus a grace
 * for live readers, and the message published is `<id> <content key>` (instances read the content once).
 * The user's channel is the history key without its `:h` suffix.
 * KEYS: history, newest id, then the idempotency record when the commit has one, then the shared content when used,
 * then, with a receipt asked, the receipt keys of `RECEIPT_ON_COMMIT`.
 * ARGV: JSON suffix after the id ('' for shared content), entry ttl ms; with a receipt asked, '1' and the receipt
 * arguments of `RECEIPT_ON_COMMIT` (ARGV 3–10), which creates it in the same step.
 * Returns "<id>|1" when some instance was subscribed to the user's channel, "<id>|0" otherwise; an error starting
 * with NTCONTENT when the shared content is gone (the broker then commits that notification with its content inline).
 */
export function commitScript(settings: CommitScriptSettings): string {
  for (const value of [settings.maxLen, settings.idempotencyTtlSeconds, settings.contentGraceMs]) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`commit script settings must be whole numbers, got ${value}`);
  }
  return `
local receipt = ARGV[3] == '1'
local base = #KEYS
if receipt then base = base - (ARGV[6] == '1' and 2 or 1) end
local shared = ARGV[1] == ''
local record = nil
if base == (shared and 4 or 3) then record = KEYS[3] end
if record then
  local earlier = redis.call('GET', record)
  if earlier then return earlier end
end
local ttl = tonumber(ARGV[2])
local field, content = 's', ARGV[1]
if shared then
  content = KEYS[base]
  local left = redis.call('PTTL', content)
  if left == -2 then return redis.error_reply('NTCONTENT the notification content is gone') end
  local need = ttl + ${settings.contentGraceMs}
  if left < need then redis.call('PEXPIRE', content, need) end
  field = 'r'
end
local previous = redis.call('GET', KEYS[2]) or ''
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '=', ${settings.maxLen}, '*', field, content, 't', ARGV[2], 'p', previous)
local keep = math.max(ttl, 1000)
if redis.call('PEXPIRE', KEYS[1], keep, 'GT') == 0 and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], keep)
end
local message
if shared then message = id .. ' ' .. content else message = '{"id":"' .. id .. '"' .. ARGV[1] end
local receivers = redis.call('${settings.publishCommand}', string.sub(KEYS[1], 1, -3), message)
redis.call('SET', KEYS[2], id, 'EX', ${settings.idempotencyTtlSeconds})
local result = id .. '|' .. (receivers > 0 and '1' or '0')
${RECEIPT_ON_COMMIT}
if record then redis.call('SET', record, result, 'EX', ${settings.idempotencyTtlSeconds}) end
return result
`;
}

/**
 * REPLAY: the entries after an id that are still recoverable (id millisecond + `t` still ahead of Redis's clock),
 * and whether the history provably reaches back to that id — nothing was committed after it at all, or the oldest
 * entry kept was committed right after an id at or before it (its `p`; an oldest entry with no known predecessor
 * counts as its own, so only ids at or after it are reached).
 * An entry that references shared content (field `r`) is read from it (once per content); one whose content is
 * gone (evicted before its entries) is left out and makes the replay incomplete. Entries written before entries
 * carried `t` and `p` hold their absolute deadline (`e`) and count as having no known predecessor.
 * KEYS: history, newest id. ARGV: the id. Returns {complete (0/1), newest id or '', id1, suffix1, ...}.
 */
export const REPLAY_SCRIPT = `
local function older_or_equal(a, b)
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
  return ams < bms or (ams == bms and aseq <= bseq)
end
local function field(entry, name)
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == name then return fields[i + 1] end
  end
  return nil
end
local last = redis.call('GET', KEYS[2]) or ''
if last ~= '' and older_or_equal(last, ARGV[1]) then return {1, last} end
local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not oldest then return {0, last} end
local before = field(oldest, 'p') or ''
if before == '' then before = oldest[1] end
local complete = 0
if older_or_equal(before, ARGV[1]) then complete = 1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {complete, last}
local contents = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+')) do
  local deadline = tonumber(field(entry, 'e') or '0')
  if field(entry, 't') then deadline = tonumber(string.match(entry[1], '^(%d+)-')) + tonumber(field(entry, 't')) end
  if deadline > now then
    local suffix = field(entry, 's')
    local ref = field(entry, 'r')
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
