--[[
  Creates the run of a schedule's fire and records the fire in the schedule's history in the same
  call: for a new run, or for the one the fire's idempotency key already names. A fire recorded
  before (its marker delivered again), or older than its full history (see `forgotten`), creates
  nothing and answers {0, the run it started or '', 0}. Otherwise answers as create_run does, the
  third value being 1 (the fire recorded).
]]
--- @include "create-run"
--- @include "occurrences"

local function create_fire_run(k, run, index, stats, o)
  local handled = recorded_at(index, o.at)
  if handled then return { 0, run_of(handled), 0 } end
  local count = redis.call('ZCARD', index)
  if forgotten(index, o.at, o.maxKept, count) then return { 0, '', 0 } end
  return create_run(k, run, function(runId)
    return write_occurrence(index, stats, o, runId, count)
  end)
end
