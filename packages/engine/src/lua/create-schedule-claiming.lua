--[[
  Writes a new schedule that claims a client jobId: the claim and the record are written together,
  so a claim never names a schedule that was not written. A claim naming a schedule that is gone
  (deleted since, or left by an earlier version that claimed first) is taken over.

    Input:
      KEYS[1] the flow's schedules (hash: id -> record JSON)
      KEYS[2] the flow's schedule versions (hash: id -> version)
      KEYS[3] the flow's schedule index (sorted set, for paging)
      KEYS[4] the flow's schedule jobIds (hash: client jobId -> schedule id)

      ARGV[1] schedule id
      ARGV[2] the record JSON
      ARGV[3] its version
      ARGV[4] its index entry
      ARGV[5] the client jobId

    Output:
      {1, id}       written
      {0, holder}   not written: another schedule holds the jobId
]]

local schedules, versions, index, jobIds = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, record, version, entry, jobId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local holder = redis.call('HGET', jobIds, jobId)
if holder and redis.call('HEXISTS', schedules, holder) == 1 then return { 0, holder } end
redis.call('HSET', jobIds, jobId, id)
redis.call('HSET', schedules, id, record)
redis.call('HSET', versions, id, version)
redis.call('ZADD', index, 0, entry)
return { 1, id }
