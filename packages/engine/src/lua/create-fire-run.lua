--[[
  Creates the run of a schedule's fire and records the fire's occurrence, in one call (see
  create-run.lua for the run and includes/occurrences.lua for the history). The occurrence is
  recorded for a new run or for the one the fire's idempotency key already names; a fire recorded
  before (its marker delivered again) creates nothing.

    Input:
      KEYS[1] run hash
      KEYS[2] run index (sorted set)
      KEYS[3] run events (list)
      KEYS[4] idempotency key (unused without one)
      KEYS[5] the flow's published manifest version
      KEYS[6] unstarted runs (sorted set)
      KEYS[7] the schedule's occurrence index (sorted set)
      KEYS[8] the flow's schedule stats (hash)

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

    Output:
      {1, runId, 1}               created, fire recorded
      {0, existingId, 1}          the idempotency key names a run; fire recorded for it
      {0, runId or '', 0}         the fire was recorded before (or is older than the history)
      {-1}                        nothing written: a newer manifest was published
]]
--- @include "includes/create-fire-run"

return create_fire_run(run_keys(), run_args(), KEYS[7], KEYS[8], occurrence_args(15))
