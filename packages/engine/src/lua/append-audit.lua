--[[
  Adds an audit entry to the front of a list and trims the list by age and size together (see
  audit.ts). Pops at most 32 old entries a call: each entry is pushed once, so that keeps pace, and
  a lowered limit is caught up with over later writes.

    Input:
      KEYS[1] the audit list, newest first

      ARGV[1] the entry JSON
      ARGV[2] entries kept whatever their age
      ARGV[3] hard cap: never more entries than this
      ARGV[4] cutoff (ms): entries older than this, past the first ARGV[2], may go

    Output:
      1
]]

local list = KEYS[1]
local entry, keep, hardMax, cutoff = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

redis.call('LPUSH', list, entry)
redis.call('LTRIM', list, 0, hardMax - 1)
for _ = 1, 32 do
  if redis.call('LLEN', list) <= keep then break end
  local ok, oldest = pcall(cjson.decode, redis.call('LINDEX', list, -1))
  if ok and type(oldest) == 'table' and tonumber(oldest.at) and tonumber(oldest.at) >= cutoff then break end
  redis.call('RPOP', list)
end
return 1
