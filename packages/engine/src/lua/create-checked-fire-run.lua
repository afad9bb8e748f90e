--[[
  As create-fire-run.lua, for a fire that did not read its schedule first: it creates and records
  nothing unless the schedule is still as the fire last read it (see includes/fire-check.lua).

    Input:
      KEYS[1] run hash
      KEYS[2] run index (sorted set)
      KEYS[3] run events (list)
      KEYS[4] idempotency key (unused without one)
      KEYS[5] the flow's published manifest version
      KEYS[6] unstarted runs (sorted set)
      KEYS[7] the schedule's occurrence index (sorted set)
      KEYS[8] the flow's schedule stats (hash)
      KEYS[9] the flow's schedule versions (hash)

      ARGV[1]  run id
      ARGV[2]  now (creation time, ms)
      ARGV[3]  flow name
      ARGV[4]  input JSON
      ARGV[5]  trigger JSON, whole (for `run.started`)
      ARGV[6]  steps JSON: [{name, needs}]
      ARGV[7]  idempotency key TTL in ms ('' without an idempotency key)
      ARGV[8]  manifest version the input was checked against ('' to skip the check)
      ARGV[9]  held entry step ('' for none)
      ARGV[10] runs kept per flow
      ARGV[11] floor id: runs with a smaller id are past the age limit
      ARGV[12] trigger JSON less a schedule's id and time (see run-trigger.ts)
      ARGV[13] schedule id ('' for none)
      ARGV[14] planned time of the schedule's fire ('' for none)
      ARGV[15] occurrence: planned time
      ARGV[16] occurrence: member without its run id (see occurrences/format.ts)
      ARGV[17] occurrence: outcome
      ARGV[18] occurrence: schedule id
      ARGV[19] occurrence: fired at (ms)
      ARGV[20] occurrence: '1' when it counts toward the schedule's limit, '0' for "run now"
      ARGV[21] occurrence: fires kept per schedule
      ARGV[22] check: the schedule's version as the fire read it
      ARGV[23] check: the planned time before this fire, which must be recorded ('' for none)
      ARGV[24] check: '1' when the schedule skips overlapping runs

    Output:
      as create-fire-run.lua, or
      {-2}   nothing written: the schedule changed, an earlier planned time is not recorded yet,
             or (skipping overlaps) its last run is still going; the caller reads the schedule
]]
--- @include "includes/create-fire-run"
--- @include "includes/fire-check"

local k, run, o = run_keys(), run_args(), occurrence_args(15)
if not fire_check_passes(KEYS[9], KEYS[8], run_prefix(k.run, run.id), o.scheduleId, fire_check_args(22)) then
  return { -2 }
end
return create_fire_run(k, run, KEYS[7], KEYS[8], o)
