--[[
  One page of a flow's schedule index, one entry more than asked (to tell whether another page
  follows), and the records of the page's schedules (an entry is "<sort key>:<id>").

    Input:
      KEYS[1] the flow's schedules (hash: id -> record JSON)
      KEYS[2] the flow's schedule index (sorted set, every score 0)

      ARGV[1] the lex range start
      ARGV[2] page size
      ARGV[3] 'check' to compare the index's size with the records', 'nocheck' not to

    Output:
      {entries, records}
      {-1}   asked to check, and the index and the records differ in count: the caller rebuilds
             the index and reads again without the check
]]

local schedules, index = KEYS[1], KEYS[2]
local start, limit, check = ARGV[1], tonumber(ARGV[2]), ARGV[3] == 'check'

if check and redis.call('HLEN', schedules) ~= redis.call('ZCARD', index) then return { -1 } end
local entries = redis.call('ZRANGEBYLEX', index, start, '+', 'LIMIT', 0, limit + 1)
local records = {}
local ids = {}
local function read()
  for _, raw in ipairs(redis.call('HMGET', schedules, unpack(ids))) do
    records[#records + 1] = raw
  end
  ids = {}
end
for i = 1, math.min(limit, #entries) do
  local entry = entries[i]
  local at = string.find(entry, ':', 1, true)
  ids[#ids + 1] = at and string.sub(entry, at + 1) or entry
  -- Lua unpacks a few thousand values at most: read the records in chunks.
  if #ids == 1000 then read() end
end
if #ids > 0 then read() end
return { entries, records }
