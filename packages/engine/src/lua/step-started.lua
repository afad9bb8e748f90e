--[[
  Marks a step running and reads what its handler needs, in one call. The first start of a queued
  run makes the run running and takes it out of the unstarted set.

    Input:
      KEYS[1] run hash
      KEYS[2] run events (list)
      KEYS[3] unstarted runs (sorted set)

      ARGV[1]    step
      ARGV[2]    attempt
      ARGV[3]    now (ms)
      ARGV[4]    run id
      ARGV[5...] the steps it needs

    Output:
      {1, input, output of each need}  the handler should run
      {0}                              the step or the run is already done
      {2}                              the step completed but the run is still going (what follows
                                       the step may not have happened)
      {-1}                             the run is gone
]]
--- @include "includes/terminal"
--- @include "includes/step-event"

local runKey, eventsKey, unstartedKey = KEYS[1], KEYS[2], KEYS[3]
local step, attempt, now, runId = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local firstNeed = 5

local status = redis.call('HGET', runKey, 'status')
if not status then return { -1 } end
if terminal(status) then return { 0 } end
local s = redis.call('HGET', runKey, 's:' .. step)
if s == 'completed' then return { 2 } end
if s == 'failed' or s == 'skipped' then return { 0 } end
redis.call('HSET', runKey, 's:' .. step, 'running', 'a:' .. step, attempt)
redis.call('HSETNX', runKey, 't0:' .. step, now)
if status == 'queued' then
  redis.call('HSET', runKey, 'status', 'running', 'startedAt', now)
  redis.call('ZREM', unstartedKey, runId)
end
redis.call('RPUSH', eventsKey, step_event('started', now, step, attempt))
local fields = { 'input' }
for i = firstNeed, #ARGV do
  table.insert(fields, 'o:' .. ARGV[i])
end
return { 1, unpack(redis.call('HMGET', runKey, unpack(fields))) }
