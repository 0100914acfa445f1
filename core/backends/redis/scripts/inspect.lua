-- Read-only view of everything stored for one conversation (for operators; mutates nothing).
-- KEYS: meta, list, fence, lease (unused here).
-- Returns {metaExists, v, p, n, c, llen, pttlMeta, pttlList, pttlFence, fence, item...}; missing
-- values are ''.
local meta = redis.call('HMGET', KEYS[1], 'v', 'p', 'n', 'c')
local fence = redis.call('GET', KEYS[3])
local out = {
  tostring(redis.call('EXISTS', KEYS[1])),
  meta[1] or '', meta[2] or '', meta[3] or '', meta[4] or '',
  tostring(redis.call('LLEN', KEYS[2])),
  tostring(redis.call('PTTL', KEYS[1])),
  tostring(redis.call('PTTL', KEYS[2])),
  tostring(redis.call('PTTL', KEYS[3])),
  fence or '',
}
local items = redis.call('LRANGE', KEYS[2], 0, -1)
for i = 1, #items do
  out[#out + 1] = items[i]
end
return out
