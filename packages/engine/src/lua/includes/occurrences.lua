--[[
  A schedule's fire ledger: one member of a sorted set per fire, scored by its planned time (see
  occurrences/format.ts), and the schedule's counters in its flow's stats hash. Shared by
  record-occurrence.lua and the scripts that create a fire's run and record the fire with it.

  occurrence_args(first) names the 7 ARGV of one fire, from ARGV[first]:
    [first]     planned time (the member's score)
    [first + 1] the member without its run id (the run id is only known here, and ends it)
    [first + 2] outcome
    [first + 3] schedule id (the prefix of its fields in the stats hash)
    [first + 4] fired at
    [first + 5] '1' when the fire counts toward the schedule's limit (a planned fire), '0' if not
    [first + 6] fires kept: the history is trimmed to this length

  `write_occurrence` writes a fire known to be new, given the history's length before it;
  `record_occurrence` checks first. `recorded_at`: the member recorded for a planned time, if
  any. `run_of`: the run id a member names ('' for none).

  `forgotten`: whether a fire is older than every fire its schedule's full history keeps. Such a
  fire was recorded once and trimmed since, its marker delivered again late: a fire never recorded
  cannot come that late, because while any worker records later fires, a stalled marker is handed
  to one of them within a minute or so, long before a history's length of later fires (1,000 by
  default) has passed. It counts as recorded, so it starts nothing and is not recorded again.
]]

local function occurrence_args(first)
  return {
    at = ARGV[first],
    member = ARGV[first + 1],
    outcome = ARGV[first + 2],
    scheduleId = ARGV[first + 3],
    firedAt = ARGV[first + 4],
    counted = ARGV[first + 5] == '1',
    maxKept = tonumber(ARGV[first + 6]),
  }
end

local function recorded_at(index, at)
  return redis.call('ZRANGEBYSCORE', index, at, at, 'LIMIT', 0, 1)[1]
end

local function run_of(member)
  return string.match(member, '|([^|]*)$') or ''
end

local function forgotten(index, at, maxKept, count)
  if count < maxKept then return false end
  local oldest = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')[2]
  return oldest ~= nil and tonumber(at) < tonumber(oldest)
end

-- The counters read and written in one call each, not one call per counter.
local function count_occurrence(stats, o, runId)
  local started = o.outcome == 'started'
  if not (o.counted or started) then return end
  local id = o.scheduleId
  local now = redis.call('HMGET', stats, id .. ':fires', id .. ':lastPlanned', id .. ':count')
  local fields = {}
  local function add(...)
    for _, v in ipairs({ ... }) do
      table.insert(fields, v)
    end
  end
  if o.counted then
    add(id .. ':fires', tonumber(now[1] or '0') + 1)
    if tonumber(o.at) > tonumber(now[2] or '0') then add(id .. ':lastPlanned', o.at) end
  end
  if started then
    add(id .. ':count', tonumber(now[3] or '0') + 1, id .. ':lastRun', o.firedAt, id .. ':lastRunId', runId)
  end
  redis.call('HSET', stats, unpack(fields))
end

local function write_occurrence(index, stats, o, runId, count)
  redis.call('ZADD', index, o.at, o.member .. runId)
  count_occurrence(stats, o, runId)
  local excess = count + 1 - o.maxKept
  if excess > 0 then redis.call('ZREMRANGEBYRANK', index, 0, excess - 1) end
  return 1
end

local function record_occurrence(index, stats, o, runId)
  local count = redis.call('ZCARD', index)
  if forgotten(index, o.at, o.maxKept, count) or recorded_at(index, o.at) then return 0 end
  return write_occurrence(index, stats, o, runId, count)
end
