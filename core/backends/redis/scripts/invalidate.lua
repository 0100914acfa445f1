-- Drops the entry and raises the fence to the highest of: the given position, the entry's own
-- position, the current fence. Writes nothing when none of them exists (evicting an unknown
-- conversation is a no-op). With onlyOlder, an entry already at or past the given position is
-- kept (a repair that arrives after a newer fill must not drop it), the fence still raised.
-- Any fill lease is revoked either way (its reader's snapshot may predate this).
-- KEYS: meta, list, fence, lease. ARGV: position (or ''), ttlMs, onlyOlder ('1' or '').
-- Returns 'dropped' | 'kept'.
redis.call('DEL', KEYS[4])
local ttl = ARGV[2]
local best = nil
local function consider(value)
  if value and tonumber(value) ~= nil and (best == nil or tonumber(value) > tonumber(best)) then
    best = value
  end
end

local p = redis.call('HGET', KEYS[1], 'p')
if ARGV[3] == '1' and tonumber(ARGV[1]) ~= nil and tonumber(p) ~= nil and tonumber(p) >= tonumber(ARGV[1]) then
  return 'kept'
end

consider(ARGV[1])
consider(p)
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
return 'dropped'
