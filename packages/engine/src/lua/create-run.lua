--[[
  Creates a run: writes its record (with every step's state), adds it to the flow's run index,
  appends `run.started`, and deletes the oldest runs past the count and age limits, in one call.
  A held entry step is marked started with the run (its caller runs it now); otherwise the run
  waits in the unstarted set until a step of it starts (see run-repair.ts).

    Input:
      KEYS[1] run hash
      KEYS[2] run index (sorted set)
      KEYS[3] run events (list)
      KEYS[4] idempotency key (unused without one)
      KEYS[5] the flow's published manifest version
      KEYS[6] unstarted runs (sorted set)

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

    Output:
      {1, runId, 0}        created
      {0, existingId, 0}   the idempotency key already names a run
      {-1}                 nothing written: a newer manifest was published (the caller checks
                           the input against it and retries)
]]
--- @include "includes/create-run"

return create_run(run_keys(), run_args(), function()
  return 0
end)
