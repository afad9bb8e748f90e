--[[
  The least a durable record of a run's end takes: its status.
  KEYS[1]  the run's hash
  ARGV[1]  end time (ms)
]]
redis.call('HSET', KEYS[1], 'status', 'completed', 'finishedAt', ARGV[1])
return 1
