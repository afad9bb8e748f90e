--[[
  Links a run to a run that replays it: a field `r:<replay id>` on the original, and its
  `run.replayed` event.

    Input:
      KEYS[1] the original run's hash
      KEYS[2] its events (list)

      ARGV[1] the replay's run id
      ARGV[2] now (ms)
      ARGV[3] the `run.replayed` event JSON

    Output:
      1 linked, 0 the original is gone
]]
local runKey, eventsKey = KEYS[1], KEYS[2]
local replayId, now, replayedEvent = ARGV[1], ARGV[2], ARGV[3]

if redis.call('EXISTS', runKey) == 0 then return 0 end
redis.call('HSET', runKey, 'r:' .. replayId, now)
redis.call('RPUSH', eventsKey, replayedEvent)
return 1
