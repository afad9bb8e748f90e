--[[
  Continues a failed or canceled run in place: every step that did not complete is pending again
  (its attempts so far kept, so their numbering continues), each with the count of its needs not
  yet completed, and the run is running again. Completed steps keep their outputs.

    Input:
      KEYS[1] run hash
      KEYS[2] run events (list)

      ARGV[1] the `run.retried` event JSON

    Output:
      {'retried', ...steps ready to run now (every need completed)}
      {'not-ended', status}  queued, running or completed: nothing to retry
      {'gone'}               no such run
]]
local runKey, eventsKey = KEYS[1], KEYS[2]
local retriedEvent = ARGV[1]

local status = redis.call('HGET', runKey, 'status')
if not status then return { 'gone' } end
if status ~= 'failed' and status ~= 'canceled' then return { 'not-ended', status } end

local steps = cjson.decode(redis.call('HGET', runKey, 'steps'))
local completed = {}
for _, step in ipairs(steps) do
  completed[step.name] = redis.call('HGET', runKey, 's:' .. step.name) == 'completed'
end

local writes, cleared, ready, remaining = {}, { 'finishedAt', 'error' }, {}, 0
for _, step in ipairs(steps) do
  if not completed[step.name] then
    remaining = remaining + 1
    local waiting = 0
    for _, need in ipairs(step.needs) do
      if not completed[need] then waiting = waiting + 1 end
    end
    for _, value in ipairs({ 's:' .. step.name, 'pending', 'w:' .. step.name, waiting }) do
      table.insert(writes, value)
    end
    for _, field in ipairs({ 't0:', 't1:', 'e:' }) do
      table.insert(cleared, field .. step.name)
    end
    if waiting == 0 then table.insert(ready, step.name) end
  end
end
for _, value in ipairs({ 'status', 'running', 'remaining', remaining }) do
  table.insert(writes, value)
end
redis.call('HDEL', runKey, unpack(cleared))
redis.call('HSET', runKey, unpack(writes))
redis.call('RPUSH', eventsKey, retriedEvent)
return { 'retried', unpack(ready) }
