--[[
  A schedule's record and its counters in one call, for a fire. A script rather than a pipeline:
  ioredis builds a pipeline by copying every script BullMQ defines, which cost more CPU than the
  read itself on the path of every fire.

    Input:
      KEYS[1] the flow's schedules (hash: id -> record JSON)
      KEYS[2] the flow's schedule stats (hash)

      ARGV[1]    schedule id
      ARGV[2...] the stats fields to read

    Output:
      {record JSON or false, ...the stats fields' values}
]]

local schedules, stats = KEYS[1], KEYS[2]
local id, firstField = ARGV[1], 2

local record = redis.call('HGET', schedules, id)
return { record, unpack(redis.call('HMGET', stats, unpack(ARGV, firstField))) }
