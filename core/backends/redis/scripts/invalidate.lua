-- Drops the entry and raises the fence to the highest of: the given position, the entry's own
-- position, the current fence. Writes nothing when none of them exists (evicting an unknown
-- conversation is a no-op).
-- KEYS: meta, list, fence. ARGV: position (or ''), ttlMs.
local ttl = ARGV[2]
local best = nil
local function consider(value)
  if value and tonumber(value) ~= nil and (best == nil or tonumber(value) > tonumber(best)) then
    best = value
  end
end

consider(ARGV[1])
consider(redis.call('HGET', KEYS[1], 'p'))
local f = redis.call('GET', KEYS[3])
consider(f)
redis.call('DEL', KEYS[1], KEYS[2])
if best ~= nil then
  if best ~= f then
    redis.call('SET', KEYS[3], best, 'PX', ttl)
  else
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
end
return 'ok'
