--[[
  Writes copies of a stored run's record under new run ids and adds them to the run index.
  KEYS[1]  the run index (sorted set)
  ARGV[1]  the run key prefix
  ARGV[2]  n, the template's field count
  ARGV[3 .. 2 + 2n]  the template's fields and values
  then     run id / createdAt pairs
]]
local n = tonumber(ARGV[2])
local template = {}
for i = 3, 2 + n * 2 do
  template[#template + 1] = ARGV[i]
end
for i = 3 + n * 2, #ARGV, 2 do
  local key = ARGV[1] .. ARGV[i]
  redis.call('HSET', key, unpack(template))
  redis.call(
    'HSET',
    key,
    'id',
    ARGV[i],
    'createdAt',
    ARGV[i + 1],
    'startedAt',
    ARGV[i + 1],
    'finishedAt',
    ARGV[i + 1]
  )
  redis.call('ZADD', KEYS[1], 0, ARGV[i])
end
return 1
