--[[
  Whether a schedule is still as a fire last read it (see schedules/fire.ts): its version is the
  one read, the planned time before this fire is recorded (`plannedBefore`, '' when nothing
  unrecorded can precede it), and, for a schedule that skips overlapping runs, its last run has
  ended. `runPrefix` is the name of a run key of the flow less the run id.

  fire_check_args(first) names the 3 ARGV of the check, from ARGV[first]: the schedule's version as
  read, plannedBefore, and '1' when the schedule skips overlapping runs.
]]

local function fire_check_args(first)
  return { version = ARGV[first], plannedBefore = ARGV[first + 1], skipOverlap = ARGV[first + 2] == '1' }
end

local function fire_check_passes(versions, stats, runPrefix, scheduleId, check)
  if redis.call('HGET', versions, scheduleId) ~= check.version then return false end
  local last = redis.call('HMGET', stats, scheduleId .. ':lastPlanned', scheduleId .. ':lastRunId')
  if check.plannedBefore ~= '' and tonumber(last[1] or '0') < tonumber(check.plannedBefore) then
    return false
  end
  if check.skipOverlap and last[2] then
    local status = redis.call('HGET', runPrefix .. last[2], 'status')
    if status == 'queued' or status == 'running' then return false end
  end
  return true
end
