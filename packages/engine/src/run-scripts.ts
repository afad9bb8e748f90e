import { luaScript } from './lua.ts';
import { RECORD_OCCURRENCE_LUA } from './schedules/store.ts';

/**
 * The run state machine lives in these scripts so each transition is atomic even when
 * parallel steps finish at the same instant on different workers: exactly one of them
 * sees a dependant's last need complete and enqueues it, and a step job that runs twice
 * (a retry after a crash) changes nothing the second time.
 *
 * Run hash fields: id, flow, input, trigger (JSON, without a schedule's id and time; see
 * run-trigger.ts), scheduleId and scheduledFor, createdAt, steps (graph JSON), status,
 * startedAt, finishedAt, error, output, remaining; per step `s:<step>` status,
 * `a:` attempts, `t0:`/`t1:` times, `o:` output JSON, `e:` error JSON, `w:` needs left.
 * Events are the entries of a list per run, each the event JSON without its id; an event's id is
 * its position in the list, from 1. A list is the cheapest record of a run's few events: a new
 * Redis stream takes a 4 KB listpack and had to be rewritten at its size when the run ended,
 * about a tenth of a run's Redis time. Followers poll the list (see events.ts).
 */

const TERMINAL = `local function terminal(s) return s == 'completed' or s == 'failed' or s == 'canceled' end`;

/** The events the state machine writes itself, built here from the values the script already
 * has rather than sent as JSON with every call. Step names need no JSON escaping. */
const EVENTS = `
local function step_event(kind, now, step, attempt)
  return '{"at":' .. now .. ',"type":"step.' .. kind .. '","step":"' .. step .. '","attempt":' .. attempt .. '}'
end`;

/** Deletes the oldest runs beyond the count or age limit, at most a batch per call so it stays
 * cheap. Run keys share the flow's hash tag, so the keys it builds stay in the script's slot:
 * the prefixes are those of the new run's own keys, without its id. */
const TRIM = `
local function trim(index, unstarted, maxRuns, floorId, prefixes)
  local removed = 0
  local excess = redis.call('ZCARD', index) - maxRuns
  while removed < 50 do
    local oldest = redis.call('ZRANGE', index, 0, 0)[1]
    if not oldest then break end
    if excess <= 0 and oldest >= floorId then break end
    redis.call('ZREM', index, oldest)
    redis.call('ZREM', unstarted, oldest)
    local doomed = {}
    for i, prefix in ipairs(prefixes) do doomed[i] = prefix .. oldest end
    redis.call('DEL', unpack(doomed))
    excess = excess - 1
    removed = removed + 1
  end
  return removed
end`;

/** KEYS: run, index, events, idempotency, manifestVersion, unstarted, legacyEvents (the stream
 * key runs had before events were a list; trimmed with them), and for a schedule's fire its
 * occurrences, occurrence index and stats. ARGV: runId, createdAt, flow, input, trigger (JSON, for
 * `run.started`), stepsJson, idemTtlMs ('' without an idempotency key), manifestVersion ('' to skip
 * the check), heldStep ('' for none), maxRuns, floorId, the record's three trigger fields (see
 * triggerFields), name/needCount pairs, then for a fire (10 KEYS) the 7
 * occurrence args, and for a checked fire (11 KEYS, the last the schedule versions) the 3 check
 * args: the schedule's version as the caller read it, the planned time before this fire ('' when
 * nothing unrecorded can precede it) and '1' when the schedule skips overlapping runs. The new run
 * is written and older runs trimmed in one call; a held entry step is marked started (its caller
 * runs it now), and a fire's occurrence is recorded, for a new run or the one its idempotency key
 * already names; a fire recorded before (or older than its full history, see `forgotten`) creates
 * nothing and answers {0, its run id or '', 0}.
 * Returns {created (1|0), runId, recorded (1|0)}, {-1} when the caller's manifest
 * is not the one published last (it reads it again and retries), or {-2}, nothing written, when a
 * checked fire finds its schedule changed, an earlier planned time not recorded yet, or (skipping
 * overlaps) the schedule's last run still going: the caller reads the schedule and decides. */
export const createRunScript = luaScript(`
${TRIM}
${EVENTS}
${RECORD_OCCURRENCE_LUA}
local pairsAt = 15
local runId, now = ARGV[1], ARGV[2]
-- Run keys end in the run id; without it, the prefix other runs' keys are built from (same slot).
local runIdSuffix = -#runId - 1
local fire, checked = #KEYS >= 10, #KEYS >= 11
local n = (#ARGV - pairsAt + 1 - (fire and 7 or 0) - (checked and 3 or 0)) / 2
local occurrenceAt = pairsAt + n * 2
-- The fire's history length, read by its guard below, which also rules out a recorded fire.
local historyCount
local function record(id)
  if not fire then return 0 end
  return write_occurrence(KEYS[8], KEYS[9], KEYS[10], {unpack(ARGV, occurrenceAt, occurrenceAt + 6)}, id, historyCount)
end
if checked then
  local scheduleId, check = ARGV[occurrenceAt + 3], occurrenceAt + 7
  if redis.call('HGET', KEYS[11], scheduleId) ~= ARGV[check] then return {-2} end
  local stats = redis.call('HMGET', KEYS[10], scheduleId .. ':lastPlanned', scheduleId .. ':lastRunId')
  if ARGV[check + 1] ~= '' and tonumber(stats[1] or '0') < tonumber(ARGV[check + 1]) then return {-2} end
  if ARGV[check + 2] == '1' and stats[2] then
    local last = redis.call('HGET', string.sub(KEYS[1], 1, runIdSuffix) .. stats[2], 'status')
    if last == 'queued' or last == 'running' then return {-2} end
  end
end
-- A fire already recorded (its marker delivered again) starts nothing new: the answer names the
-- run it started, if it started one ('' if not, or if the history no longer keeps it).
if fire then
  local at = ARGV[occurrenceAt]
  local handled = recorded_at(KEYS[9], at)
  if handled then return {0, run_of(KEYS[8], handled), 0} end
  historyCount = redis.call('ZCARD', KEYS[9])
  if forgotten(KEYS[9], at, tonumber(ARGV[occurrenceAt + 6]), historyCount) then
    return {0, '', 0}
  end
end
if ARGV[8] ~= '' then
  local published = redis.call('GET', KEYS[5])
  if published and published ~= ARGV[8] then return {-1} end
end
if ARGV[7] ~= '' then
  local existing = redis.call('GET', KEYS[4])
  if existing then return {0, existing, record(existing)} end
  redis.call('SET', KEYS[4], runId, 'PX', ARGV[7])
end
-- One HSET for the record and every step (a step's attempts count from a missing field, 0).
local held = ARGV[9]
local fields = {'id', runId, 'flow', ARGV[3], 'input', ARGV[4], 'createdAt', now, 'steps', ARGV[6],
  'remaining', n}
local function add(...) for _, v in ipairs({...}) do table.insert(fields, v) end end
-- The trigger less a schedule's id and time, which are fields of their own (see run-trigger.ts).
add('trigger', ARGV[12])
if ARGV[13] ~= '' then add('scheduleId', ARGV[13]) end
if ARGV[14] ~= '' then add('scheduledFor', ARGV[14]) end
for i = 0, n - 1 do
  local name = ARGV[pairsAt + i * 2]
  add('s:' .. name, name == held and 'running' or 'pending', 'w:' .. name, ARGV[pairsAt + 1 + i * 2])
end
if held ~= '' then add('status', 'running', 'startedAt', now, 'a:' .. held, 1, 't0:' .. held, now)
else add('status', 'queued') end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZADD', KEYS[2], 0, runId)
local started = '{"at":' .. now .. ',"type":"run.started","data":{"trigger":' .. ARGV[5] .. '}}'
if held ~= '' then
  redis.call('RPUSH', KEYS[3], started, step_event('started', now, held, 1))
else
  redis.call('RPUSH', KEYS[3], started)
  redis.call('ZADD', KEYS[6], now, runId)
end
trim(KEYS[2], KEYS[6], tonumber(ARGV[10]), ARGV[11],
  {string.sub(KEYS[1], 1, runIdSuffix), string.sub(KEYS[3], 1, runIdSuffix), string.sub(KEYS[7], 1, runIdSuffix)})
return {1, runId, record(runId)}
`);

/** KEYS: run, events, unstarted. ARGV: step, attempt, now, runId, then the steps it needs.
 * Returns {1, input, output of each need} when the handler should run (what it reads, in the same
 * round trip), {0} when the step or run is already done, {2} when the step completed but the run
 * is still going (what follows the step may not have happened), {-1} when the run is gone. */
export const stepStartedScript = luaScript(`
${TERMINAL}
${EVENTS}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {-1} end
if terminal(status) then return {0} end
local s = redis.call('HGET', KEYS[1], 's:' .. ARGV[1])
if s == 'completed' then return {2} end
if s == 'failed' or s == 'skipped' then return {0} end
redis.call('HSET', KEYS[1], 's:' .. ARGV[1], 'running', 'a:' .. ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[1], 't0:' .. ARGV[1], ARGV[3])
if status == 'queued' then
  redis.call('HSET', KEYS[1], 'status', 'running', 'startedAt', ARGV[3])
  redis.call('ZREM', KEYS[3], ARGV[4])
end
redis.call('RPUSH', KEYS[2], step_event('started', ARGV[3], ARGV[1], ARGV[2]))
local fields = {'input'}
for i = 5, #ARGV do table.insert(fields, 'o:' .. ARGV[i]) end
return {1, unpack(redis.call('HMGET', KEYS[1], unpack(fields)))}
`);

/** KEYS: run, events, unstarted. ARGV: step, attempt, now, outputJson, startedAt ('' when the
 * start was recorded), runId, sinkCount, the sink steps (no dependants), then this step's
 * dependants.
 * Returns {state, remaining, runCompleted (1|0), ...dependants now ready}; state is 'ok',
 * 'again' (already recorded: the ready list is recomputed so a lost enqueue is repaired) or
 * 'ignored'. A step that started without its start being recorded (a new run's first step, see
 * step-runner.ts) has it recorded here first, while the run is still queued. After the last step
 * the run is completed here, its output being the outputs of the sink steps by name. */
export const stepCompletedScript = luaScript(`
${TERMINAL}
${EVENTS}
local step, attempt, now = ARGV[1], ARGV[2], ARGV[3]
local got = redis.call('HMGET', KEYS[1], 'status', 's:' .. step, 'remaining')
local status, s = got[1], got[2]
if not status then return {'ignored', -1, 0} end
local unrecorded = ARGV[5] ~= '' and s == 'pending'
if s == 'failed' or s == 'skipped' or (unrecorded and status ~= 'queued') then return {'ignored', -1, 0} end
local state = 'ok'
if s == 'completed' then state = 'again' end
local remaining = tonumber(got[3])
-- Written at the end, each in one call.
local writes, events = {}, {}
local function add(list, ...) for _, v in ipairs({...}) do table.insert(list, v) end end
if state == 'ok' then
  remaining = remaining - 1
  add(writes, 's:' .. step, 'completed', 't1:' .. step, now, 'o:' .. step, ARGV[4], 'remaining', remaining)
  if unrecorded then
    add(writes, 'a:' .. step, attempt, 't0:' .. step, ARGV[5], 'status', 'running', 'startedAt', ARGV[5])
    redis.call('ZREM', KEYS[3], ARGV[6])
    add(events, step_event('started', ARGV[5], step, attempt))
    status = 'running'
  else
    redis.call('HDEL', KEYS[1], 'e:' .. step)
  end
  add(events, step_event('completed', now, step, attempt))
end
local sinks = tonumber(ARGV[7])
local ready = {}
for i = 8 + sinks, #ARGV do
  local dep = ARGV[i]
  local waiting
  if state == 'ok' then waiting = redis.call('HINCRBY', KEYS[1], 'w:' .. dep, -1)
  else waiting = tonumber(redis.call('HGET', KEYS[1], 'w:' .. dep)) end
  if waiting == 0 and not terminal(status) and redis.call('HGET', KEYS[1], 's:' .. dep) == 'pending' then
    table.insert(ready, dep)
  end
end
local completed = 0
if remaining == 0 and not terminal(status) then
  local parts = {}
  for i = 8, 7 + sinks do
    local out
    if ARGV[i] == step and state == 'ok' then out = ARGV[4]
    else out = redis.call('HGET', KEYS[1], 'o:' .. ARGV[i]) end
    table.insert(parts, '"' .. ARGV[i] .. '":' .. (out or 'null'))
  end
  add(writes, 'status', 'completed', 'finishedAt', now, 'output', '{' .. table.concat(parts, ',') .. '}')
  add(events, '{"at":' .. now .. ',"type":"run.completed"}')
  completed = 1
end
if #writes > 0 then redis.call('HSET', KEYS[1], unpack(writes)) end
if #events > 0 then redis.call('RPUSH', KEYS[2], unpack(events)) end
return {state, remaining, completed, unpack(ready)}
`);

/** KEYS: run, events. ARGV: step, now, errorJson, final ('1'|'0'), stepEventJson,
 * runEventJson, skippedEventTemplate (JSON with "__STEP__"), then all step names.
 * A final failure fails the run and marks every step that has not started as skipped. */
export const stepFailedScript = luaScript(`
${TERMINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
local s = redis.call('HGET', KEYS[1], 's:' .. ARGV[1])
if s == 'completed' or s == 'failed' or s == 'skipped' then return 0 end
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[5])
if ARGV[4] ~= '1' then return 1 end
redis.call('HSET', KEYS[1], 's:' .. ARGV[1], 'failed', 't1:' .. ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'remaining', -1)
if terminal(status) then return 1 end
for i = 8, #ARGV do
  local name = ARGV[i]
  if redis.call('HGET', KEYS[1], 's:' .. name) == 'pending' then
    redis.call('HSET', KEYS[1], 's:' .. name, 'skipped')
    redis.call('HINCRBY', KEYS[1], 'remaining', -1)
    local event = string.gsub(ARGV[7], '__STEP__', name)
    redis.call('RPUSH', KEYS[2], event)
  end
end
redis.call('HSET', KEYS[1], 'status', 'failed', 'finishedAt', ARGV[2], 'error', ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[6])
return 1
`);
