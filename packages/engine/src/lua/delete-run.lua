--[[
  Deletes a run that has ended: its record, its events and its index entries.

    Input:
      KEYS[1] run hash
      KEYS[2] run events (list)
      KEYS[3] run index (sorted set)
      KEYS[4] unstarted runs (sorted set)

      ARGV[1] run id

    Output:
      {'deleted'}
      {'not-ended', status}  queued or running: cancel it first
      {'gone'}               no such run
]]
--- @include "includes/terminal"

local runKey, eventsKey, indexKey, unstartedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local runId = ARGV[1]

local status = redis.call('HGET', runKey, 'status')
if not status then return { 'gone' } end
if not terminal(status) then return { 'not-ended', status } end
redis.call('DEL', runKey, eventsKey)
redis.call('ZREM', indexKey, runId)
redis.call('ZREM', unstartedKey, runId)
return { 'deleted' }
