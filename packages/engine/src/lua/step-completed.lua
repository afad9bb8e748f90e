--[[
  Records a step's output (once), counts down each dependant's unmet needs, and after the last
  step completes the run, its output being the outputs of the sink steps by name. A step that
  started without its start being recorded (a new run's first step, see step-runner.ts) has it
  recorded here first, while the run is still queued.

    Input:
      KEYS[1] run hash
      KEYS[2] run events (list)
      KEYS[3] unstarted runs (sorted set)

      ARGV[1]    step
      ARGV[2]    attempt
      ARGV[3]    now (ms)
      ARGV[4]    output JSON
      ARGV[5]    when the step started, if its start was not recorded ('' when it was)
      ARGV[6]    run id
      ARGV[7]    the sink steps (those no step needs), as a JSON array
      ARGV[8...] the step's dependants

    Output:
      {state, remaining, runCompleted (1|0), ...dependants now ready}; state is 'ok', 'again'
      (already recorded: the ready list is recomputed so a lost enqueue is repaired) or 'ignored'
]]
--- @include "includes/terminal"
--- @include "includes/step-event"

local runKey, eventsKey, unstartedKey = KEYS[1], KEYS[2], KEYS[3]
local step, attempt, now, output = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local unrecordedStart, runId, sinksJson = ARGV[5], ARGV[6], ARGV[7]
local firstDependant = 8

-- Written at the end, each in one call.
local writes, events = {}, {}
local function add(list, ...)
  for _, v in ipairs({ ... }) do
    table.insert(list, v)
  end
end

local function record(unrecorded, remaining)
  add(writes, 's:' .. step, 'completed', 't1:' .. step, now, 'o:' .. step, output, 'remaining', remaining)
  if unrecorded then
    add(writes, 'a:' .. step, attempt, 't0:' .. step, unrecordedStart)
    add(writes, 'status', 'running', 'startedAt', unrecordedStart)
    redis.call('ZREM', unstartedKey, runId)
    add(events, step_event('started', unrecordedStart, step, attempt))
  else
    redis.call('HDEL', runKey, 'e:' .. step)
  end
  add(events, step_event('completed', now, step, attempt))
end

local function ready_dependants(state, status)
  local ready = {}
  for i = firstDependant, #ARGV do
    local dep = ARGV[i]
    local waiting
    if state == 'ok' then
      waiting = redis.call('HINCRBY', runKey, 'w:' .. dep, -1)
    else
      waiting = tonumber(redis.call('HGET', runKey, 'w:' .. dep))
    end
    if waiting == 0 and not terminal(status) and redis.call('HGET', runKey, 's:' .. dep) == 'pending' then
      table.insert(ready, dep)
    end
  end
  return ready
end

local function complete_run(state)
  local parts = {}
  for _, sink in ipairs(cjson.decode(sinksJson)) do
    local out
    if sink == step and state == 'ok' then
      out = output
    else
      out = redis.call('HGET', runKey, 'o:' .. sink)
    end
    table.insert(parts, '"' .. sink .. '":' .. (out or 'null'))
  end
  add(writes, 'status', 'completed', 'finishedAt', now, 'output', '{' .. table.concat(parts, ',') .. '}')
  add(events, '{"at":' .. now .. ',"type":"run.completed"}')
end

local got = redis.call('HMGET', runKey, 'status', 's:' .. step, 'remaining')
local status, s = got[1], got[2]
if not status then return { 'ignored', -1, 0 } end
local unrecorded = unrecordedStart ~= '' and s == 'pending'
-- A step of a canceled run (`canceled`) has its result ignored.
if s == 'failed' or s == 'skipped' or s == 'canceled' or (unrecorded and status ~= 'queued') then
  return { 'ignored', -1, 0 }
end
local state = s == 'completed' and 'again' or 'ok'
local remaining = tonumber(got[3])
if state == 'ok' then
  remaining = remaining - 1
  record(unrecorded, remaining)
  if unrecorded then status = 'running' end
end
local ready = ready_dependants(state, status)
local completed = 0
if remaining == 0 and not terminal(status) then
  complete_run(state)
  completed = 1
end
if #writes > 0 then redis.call('HSET', runKey, unpack(writes)) end
if #events > 0 then redis.call('RPUSH', eventsKey, unpack(events)) end
return { state, remaining, completed, unpack(ready) }
