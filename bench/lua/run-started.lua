--[[
  The least a durable record of a run's start takes: the record and an index entry.
  KEYS[1]  the run's hash
  KEYS[2]  the run index (sorted set)
  ARGV[1]  schedule id
  ARGV[2]  planned time (ms)
  ARGV[3]  start time (ms)
  ARGV[4]  run id
]]
redis.call(
  'HSET',
  KEYS[1],
  'status',
  'running',
  'scheduleId',
  ARGV[1],
  'scheduledFor',
  ARGV[2],
  'startedAt',
  ARGV[3]
)
redis.call('ZADD', KEYS[2], 0, ARGV[4])
return 1
