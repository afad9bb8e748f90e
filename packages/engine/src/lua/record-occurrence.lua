--[[
  Records one fire of a schedule that started no run here (skipped, missed, failed, or a run
  started elsewhere), once, and trims the history (see includes/occurrences.lua).

    Input:
      KEYS[1] the schedule's occurrence index (sorted set)
      KEYS[2] the flow's schedule stats (hash)
      KEYS[3] the flow's schedules (hash)

      ARGV[1] planned time
      ARGV[2] member without its run id (see occurrences/format.ts)
      ARGV[3] outcome
      ARGV[4] schedule id
      ARGV[5] fired at (ms)
      ARGV[6] '1' when it counts toward the schedule's limit, '0' for "run now"
      ARGV[7] fires kept per schedule
      ARGV[8] run id ('' for none)

    Output:
      1  recorded
      0  recorded before, or the schedule is gone: a deleted schedule's history would be keys
         that nothing removes
]]
--- @include "includes/occurrences"

local o = occurrence_args(1)
if redis.call('HEXISTS', KEYS[3], o.scheduleId) == 0 then return 0 end
return record_occurrence(KEYS[1], KEYS[2], o, ARGV[8])
