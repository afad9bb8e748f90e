--[[
  Appends a step's log line to its run's events unless the run has reached the cap of events,
  so a chatty step cannot grow a run without bound and its final events still fit.

    Input:
      KEYS[1] run events (list)

      ARGV[1] the cap: events kept per run
      ARGV[2] the `step.log` event JSON

    Output:
      the list's new length, or 0 when the line was dropped
]]

local eventsKey = KEYS[1]
local cap, event = tonumber(ARGV[1]), ARGV[2]

if redis.call('LLEN', eventsKey) >= cap then return 0 end
return redis.call('RPUSH', eventsKey, event)
