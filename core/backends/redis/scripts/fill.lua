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
local i = 5
while i <= #ARGV do
  local j = math.min(i + 999, #ARGV)
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, j))
  i = j + 1
end
if #ARGV >= 5 then
  redis.call('LTRIM', KEYS[2], -max, -1)
end
local len = redis.call('LLEN', KEYS[2])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'p', ARGV[2], 'n', len, 'c', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
if (not f) or pos > (tonumber(f) or -1) then
  redis.call('SET', KEYS[3], ARGV[2], 'PX', ttl)
else
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return 'ok'
