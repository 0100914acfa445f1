-- Replaces the entry with a snapshot read from the log, unless something newer is known.
-- KEYS: meta, list, fence. ARGV: version, position, maxMessages, ttlMs, message...
-- Returns 'ok' | 'duplicate' | 'fenced'.
local pos = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local ttl = ARGV[4]

local f = redis.call('GET', KEYS[3])
if f and (tonumber(f) or -1) > pos then
  return 'fenced'
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  local meta = redis.call('HMGET', KEYS[1], 'p', 'n')
  local p = tonumber(meta[1])
  local count = tonumber(meta[2])
  local intact = p ~= nil and count ~= nil and redis.call('LLEN', KEYS[2]) == count
  if intact and p >= pos then
    return 'duplicate'
  end
end

redis.call('DEL', KEYS[1], KEYS[2])
push_entry(5, ARGV[1], ARGV[2], ARGV[3], max, ttl)
if (not f) or pos > (tonumber(f) or -1) then
  redis.call('SET', KEYS[3], ARGV[2], 'PX', ttl)
else
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return 'ok'
