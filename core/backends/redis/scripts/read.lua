-- Atomic snapshot of a cached tail; slides the TTL of every key of the conversation.
-- KEYS: meta, list, fence, lease (unused here). ARGV: n, ttlMs.
-- Returns {'hit', v, p, item...} | {'miss'} | {'torn'} | {'short'}.
-- 'torn': part of the entry was evicted; the rest is dropped here so the next fill starts clean.
-- 'short': the entry was trimmed to fewer than n messages by a smaller cap, so it can't answer.
local n = tonumber(ARGV[1])
local ttl = ARGV[2]

local function raise_fence(pos)
  if not pos or tonumber(pos) == nil then return end
  local f = redis.call('GET', KEYS[3])
  if (not f) or tonumber(pos) > (tonumber(f) or -1) then
    redis.call('SET', KEYS[3], pos, 'PX', ttl)
  end
end

local llen = redis.call('LLEN', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 0 then
  if llen > 0 then
    redis.call('DEL', KEYS[2])
    return {'torn'}
  end
  return {'miss'}
end

local meta = redis.call('HMGET', KEYS[1], 'v', 'p', 'n', 'c')
local count = tonumber(meta[3])
if tonumber(meta[1]) == nil or tonumber(meta[2]) == nil or count == nil or llen ~= count then
  redis.call('DEL', KEYS[1], KEYS[2])
  raise_fence(meta[2])
  return {'torn'}
end

local cap = tonumber(meta[4]) or 0
if n > count and count >= cap then
  return {'short'}
end

redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)

local out = {'hit', meta[1], meta[2]}
if n > 0 and count > 0 then
  local items = redis.call('LRANGE', KEYS[2], -n, -1)
  for i = 1, #items do
    out[#out + 1] = items[i]
  end
end
return out
