--[[
  Records a step's failure. A final failure (no attempt left) fails the run and marks every step
  that has not started as skipped; an earlier one only records the error and its event.

    Input:
      KEYS[1] run hash
      KEYS[2] run events (list)

      ARGV[1]    step
      ARGV[2]    now (ms)
      ARGV[3]    error JSON
      ARGV[4]    '1' for a final failure, '0' when the step is retried
      ARGV[5]    the step's event JSON (`step.failed` or `step.retry`)
      ARGV[6]    the `run.failed` event JSON
      ARGV[7]    the `step.skipped` event JSON, with "__STEP__" for the step's name
      ARGV[8...] every step of the run

    Output:
      1  recorded
      0  the run is gone or the step already ended
]]
--- @include "includes/terminal"

local runKey, eventsKey = KEYS[1], KEYS[2]
local step, now, errorJson, final = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1'
local stepEvent, runEvent, skippedEvent = ARGV[5], ARGV[6], ARGV[7]
local firstStep = 8

local status = redis.call('HGET', runKey, 'status')
if not status then return 0 end
local s = redis.call('HGET', runKey, 's:' .. step)
if s == 'completed' or s == 'failed' or s == 'skipped' or s == 'canceled' then return 0 end
redis.call('HSET', runKey, 'e:' .. step, errorJson)
redis.call('RPUSH', eventsKey, stepEvent)
if not final then return 1 end
redis.call('HSET', runKey, 's:' .. step, 'failed', 't1:' .. step, now)
redis.call('HINCRBY', runKey, 'remaining', -1)
if terminal(status) then return 1 end
for i = firstStep, #ARGV do
  local name = ARGV[i]
  if redis.call('HGET', runKey, 's:' .. name) == 'pending' then
    redis.call('HSET', runKey, 's:' .. name, 'skipped')
    redis.call('HINCRBY', runKey, 'remaining', -1)
    local event = string.gsub(skippedEvent, '__STEP__', name)
    redis.call('RPUSH', eventsKey, event)
  end
end
redis.call('HSET', runKey, 'status', 'failed', 'finishedAt', now, 'error', errorJson)
redis.call('RPUSH', eventsKey, runEvent)
return 1
