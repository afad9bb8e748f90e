--[[
  Writes copies of a completed raw BullMQ job under new job ids and adds them to the completed set.
  KEYS[1]  the queue's completed set
  ARGV[1]  the job key prefix
  ARGV[2]  n, the template's field count
  ARGV[3 .. 2 + 2n]  the template's fields and values
  then     job id / finishedOn pairs
]]
local n = tonumber(ARGV[2])
local template = {}
for i = 3, 2 + n * 2 do
  template[#template + 1] = ARGV[i]
end
for i = 3 + n * 2, #ARGV, 2 do
  redis.call('HSET', ARGV[1] .. ARGV[i], unpack(template))
  redis.call('HSET', ARGV[1] .. ARGV[i], 'timestamp', ARGV[i + 1], 'finishedOn', ARGV[i + 1])
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
end
return 1
