-- Shared by append.lua and fill.lua (prepended by scripts.ts): pushes ARGV[first..] onto the
-- list in chunks (unpack has a stack limit), trims it to `max`, and writes the meta hash with the
-- count actually kept, all under one TTL.
local function push_entry(first, version, position, cap, max, ttl)
  local i = first
  while i <= #ARGV do
    local j = math.min(i + 999, #ARGV)
    redis.call('RPUSH', KEYS[2], unpack(ARGV, i, j))
    i = j + 1
  end
  if #ARGV >= first then
    redis.call('LTRIM', KEYS[2], -max, -1)
  end
  local len = redis.call('LLEN', KEYS[2])
  redis.call('HSET', KEYS[1], 'v', version, 'p', position, 'n', len, 'c', cap)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
