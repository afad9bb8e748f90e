--[[
  Cancels a run that has not ended: its steps not started are skipped, its running steps are
  marked canceled (what their handlers return later is ignored, see step-completed.lua), and the
  run ends canceled.

    Input:
      KEYS[1] run hash
      KEYS[2] run events (list)
      KEYS[3] unstarted runs (sorted set)

      ARGV[1] now (ms)
      ARGV[2] run id
      ARGV[3] the `run.canceled` event JSON

    Output:
      {'canceled', ...steps that were running}
      {'ended', status}  the run had already ended; nothing changed
      {'gone'}           no such run
]]
--- @include "includes/terminal"

local runKey, eventsKey, unstartedKey = KEYS[1], KEYS[2], KEYS[3]
local now, runId, canceledEvent = ARGV[1], ARGV[2], ARGV[3]

local status = redis.call('HGET', runKey, 'status')
if not status then return { 'gone' } end
if terminal(status) then return { 'ended', status } end

local writes, events, running = {}, {}, {}
for _, step in ipairs(cjson.decode(redis.call('HGET', runKey, 'steps'))) do
  local s = redis.call('HGET', runKey, 's:' .. step.name)
  if s == 'pending' then
    table.insert(writes, 's:' .. step.name)
    table.insert(writes, 'skipped')
    table.insert(events, string.format('{"at":%s,"type":"step.skipped","step":"%s"}', now, step.name))
  elseif s == 'running' then
    table.insert(running, step.name)
    for _, value in ipairs({ 's:' .. step.name, 'canceled', 't1:' .. step.name, now }) do
      table.insert(writes, value)
    end
  end
end
for _, value in ipairs({ 'status', 'canceled', 'finishedAt', now, 'remaining', 0 }) do
  table.insert(writes, value)
end
redis.call('HSET', runKey, unpack(writes))
redis.call('ZREM', unstartedKey, runId)
table.insert(events, canceledEvent)
redis.call('RPUSH', eventsKey, unpack(events))
return { 'canceled', unpack(running) }
