--[[
  Writes a schedule's record if its stored version is still the one the caller read (compare and
  set), and indexes it for paged lists.

    Input:
      KEYS[1] the flow's schedules (hash: id -> record JSON)
      KEYS[2] the flow's schedule versions (hash: id -> version)
      KEYS[3] the flow's schedule index (sorted set, for paging)

      ARGV[1] schedule id
      ARGV[2] the version expected ('' when the schedule must not exist yet)
      ARGV[3] the record JSON
      ARGV[4] the record's new version
      ARGV[5] its index entry

    Output:
      {1, new version}   written
      {0, current}       not written: the stored version ('' for none) is not the one expected
]]

local schedules, versions, index = KEYS[1], KEYS[2], KEYS[3]
local id, expected, record, version, entry = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local current = redis.call('HGET', versions, id)
if expected == '' then
  if current then return { 0, current } end
elseif current ~= expected then
  return { 0, current or '' }
end
redis.call('HSET', schedules, id, record)
redis.call('HSET', versions, id, version)
redis.call('ZADD', index, 0, entry)
return { 1, version }
