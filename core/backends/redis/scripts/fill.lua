-- Replaces the entry with a snapshot read from the log, unless something newer is known.
-- KEYS: meta, list, fence, lease. ARGV: version, position, maxMessages, ttlMs, token, message...
-- Returns 'ok' | 'duplicate' | 'fenced'.
-- token: the fill lease the reader took before reading the log. Every write and invalidation
-- deletes the lease, and so may eviction: only a lease still held proves that nothing was written
-- since the snapshot was read (the fence alone can be evicted under allkeys-* policies). '' for a
-- fill guarded by the fence only.
local pos = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local ttl = ARGV[4]
local token = ARGV[5]

if token ~= '' then
  if redis.call('GET', KEYS[4]) ~= token then
    return 'fenced'
  end
  redis.call('DEL', KEYS[4])
end

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
push_entry(6, ARGV[1], ARGV[2], ARGV[3], max, ttl)
if (not f) or pos > (tonumber(f) or -1) then
  redis.call('SET', KEYS[3], ARGV[2], 'PX', ttl)
else
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return 'ok'
