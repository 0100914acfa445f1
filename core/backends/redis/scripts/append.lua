-- Write-through after a commit. Applies only the next version; safe to run late or twice.
-- KEYS: meta, list, fence, lease. ARGV: prevVersion, newVersion, newPosition, maxMessages, ttlMs, message...
-- Returns 'ok' | 'duplicate' | 'cold' | 'gap'.
-- Every outcome raises the fence to newPosition and revokes any fill lease: a fill from a
-- snapshot older than a committed append must be refused even if the entry is evicted or
-- dropped in between.
redis.call('DEL', KEYS[4])
local prev = tonumber(ARGV[1])
local newv = tonumber(ARGV[2])
local newp = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local ttl = ARGV[5]

local function raise_fence()
  local f = redis.call('GET', KEYS[3])
  if (not f) or newp > (tonumber(f) or -1) then
    redis.call('SET', KEYS[3], ARGV[3], 'PX', ttl)
  else
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
end

local function drop(outcome)
  redis.call('DEL', KEYS[1], KEYS[2])
  raise_fence()
  return outcome
end

if redis.call('EXISTS', KEYS[1]) == 0 then
  -- Never create an entry here: it would cache a partial history. A list without meta is a
  -- torn remainder.
  redis.call('DEL', KEYS[2])
  raise_fence()
  return 'cold'
end

local meta = redis.call('HMGET', KEYS[1], 'v', 'p', 'n')
local v = tonumber(meta[1])
local p = tonumber(meta[2])
local count = tonumber(meta[3])
if v == nil or p == nil or count == nil or redis.call('LLEN', KEYS[2]) ~= count then
  return drop('gap')
end

if v >= newv then
  raise_fence()
  return 'duplicate'
end

if v ~= prev or newp <= p then
  return drop('gap')
end

push_entry(6, ARGV[2], ARGV[3], ARGV[4], max, ttl)
raise_fence()
return 'ok'
