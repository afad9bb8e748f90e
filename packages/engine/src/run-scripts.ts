import { luaScript } from './lua.ts';
import { RECORD_OCCURRENCE_LUA } from './schedules/store.ts';

/**
 * The run state machine lives in these scripts so each transition is atomic even when
 * parallel steps finish at the same instant on different workers: exactly one of them
 * sees a dependant's last need complete and enqueues it, and a step job that runs twice
 * (a retry after a crash) changes nothing the second time.
 *
 * Run hash fields: id, flow, input, trigger, createdAt, steps (graph JSON), status,
 * startedAt, finishedAt, error, output, remaining; per step `s:<step>` status,
 * `a:` attempts, `t0:`/`t1:` times, `o:` output JSON, `e:` error JSON, `w:` needs left.
 * Events are stream entries with one field `e` holding the event JSON (without its id).
 */

const TERMINAL = `local function terminal(s) return s == 'completed' or s == 'failed' or s == 'canceled' end`;

/** Redis gives a new stream a 4 KB listpack (stream-node-max-bytes), ten times what a short run's
 * events take. When a run ends, its stream is rewritten at its real size (DUMP, RESTORE
 * REPLACE: same entries and ids). Where RESTORE is not allowed the stream stays as it is. */
const COMPACT = `
local function compact(key)
  local dump = redis.pcall('DUMP', key)
  if type(dump) == 'string' then redis.pcall('RESTORE', key, 0, dump, 'REPLACE') end
end`;

/** Deletes the oldest runs beyond the count or age limit, at most a batch per call so it stays
 * cheap. Run keys share the flow's hash tag, so the keys it builds stay in the script's slot. */
const TRIM = `
local function trim(index, unstarted, maxRuns, floorId, runPrefix, eventsPrefix, batch)
  local removed = 0
  local excess = redis.call('ZCARD', index) - maxRuns
  while removed < batch do
    local oldest = redis.call('ZRANGE', index, 0, 0)[1]
    if not oldest then break end
    if excess <= 0 and oldest >= floorId then break end
    redis.call('ZREM', index, oldest)
    redis.call('ZREM', unstarted, oldest)
    redis.call('DEL', runPrefix .. oldest, eventsPrefix .. oldest)
    excess = excess - 1
    removed = removed + 1
  end
  return removed
end`;

/** KEYS: run, index, events, idempotency, manifestVersion, unstarted, and for a schedule's fire
 * its occurrences, occurrence index and stats. ARGV: runId, createdAt, flow, input, trigger,
 * stepsJson, idemTtlMs, hasIdem, eventJson, eventsMaxLen, stepCount, maxRuns, floorId,
 * runKeyPrefix, eventsKeyPrefix, trimBatch, heldStep ('' for none), heldStepEventJson, the 7
 * occurrence args (with 9 KEYS), manifestVersion ('' to skip the check), then name/needCount
 * pairs. The new run is written and older runs trimmed in one call; a held entry step is marked
 * started (its caller runs it now), and a fire's occurrence is recorded, for a new run or the one
 * its idempotency key already names. Returns {created (1|0), runId, recorded (1|0)}, or {-1}
 * when the caller's manifest is not the one published last (it reads it again and retries). */
export const createRunScript = luaScript(`
${TRIM}
${RECORD_OCCURRENCE_LUA}
local pairsAt = 27
local function record(runId)
  if #KEYS < 9 then return 0 end
  return record_occurrence(KEYS[7], KEYS[8], KEYS[9], {unpack(ARGV, 19, 25)}, runId)
end
if ARGV[26] ~= '' then
  local published = redis.call('GET', KEYS[5])
  if published and published ~= ARGV[26] then return {-1} end
end
if ARGV[8] == '1' then
  local existing = redis.call('GET', KEYS[4])
  if existing then return {0, existing, record(existing)} end
  redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[7])
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'flow', ARGV[3], 'input', ARGV[4], 'trigger', ARGV[5],
  'createdAt', ARGV[2], 'steps', ARGV[6], 'status', 'queued', 'remaining', ARGV[11])
local n = tonumber(ARGV[11])
for i = 0, n - 1 do
  local name = ARGV[pairsAt + i * 2]
  redis.call('HSET', KEYS[1], 's:' .. name, 'pending', 'a:' .. name, 0, 'w:' .. name, ARGV[pairsAt + 1 + i * 2])
end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[10], '*', 'e', ARGV[9])
local held = ARGV[17]
if held ~= '' then
  redis.call('HSET', KEYS[1], 's:' .. held, 'running', 'a:' .. held, 1, 't0:' .. held, ARGV[2],
    'status', 'running', 'startedAt', ARGV[2])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[10], '*', 'e', ARGV[18])
else
  redis.call('ZADD', KEYS[6], ARGV[2], ARGV[1])
end
trim(KEYS[2], KEYS[6], tonumber(ARGV[12]), ARGV[13], ARGV[14], ARGV[15], tonumber(ARGV[16]))
return {1, ARGV[1], record(ARGV[1])}
`);

/** KEYS: run, events, unstarted. ARGV: step, attempt, now, eventJson, eventsMaxLen, runId, then the steps it needs.
 * Returns {1, input, output of each need} when the handler should run (what it reads, in the same
 * round trip), {0} when the step or run is already done, {2} when the step completed but the run
 * is still going (what follows the step may not have happened), {-1} when the run is gone. */
export const stepStartedScript = luaScript(`
${TERMINAL}
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
  redis.call('ZREM', KEYS[3], ARGV[6])
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[4])
local fields = {'input'}
for i = 7, #ARGV do table.insert(fields, 'o:' .. ARGV[i]) end
return {1, unpack(redis.call('HMGET', KEYS[1], unpack(fields)))}
`);

/** KEYS: run, events. ARGV: step, now, outputJson, eventJson, eventsMaxLen, runCompletedEventJson,
 * sinkCount, the sink steps (no dependants), then this step's dependants.
 * Returns {state, remaining, runCompleted (1|0), ...dependants now ready}; state is 'ok',
 * 'again' (already recorded: the ready list is recomputed so a lost enqueue is repaired) or
 * 'ignored'. After the last step the run is completed here, its output being the outputs of the
 * sink steps by name (step names need no JSON escaping). */
export const stepCompletedScript = luaScript(`
${TERMINAL}
${COMPACT}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'ignored', -1, 0} end
local s = redis.call('HGET', KEYS[1], 's:' .. ARGV[1])
local state = 'ok'
if s == 'completed' then
  state = 'again'
elseif s == 'failed' or s == 'skipped' then
  return {'ignored', -1, 0}
else
  redis.call('HSET', KEYS[1], 's:' .. ARGV[1], 'completed', 't1:' .. ARGV[1], ARGV[2], 'o:' .. ARGV[1], ARGV[3])
  redis.call('HDEL', KEYS[1], 'e:' .. ARGV[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[4])
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
local remaining
if state == 'ok' then remaining = redis.call('HINCRBY', KEYS[1], 'remaining', -1)
else remaining = tonumber(redis.call('HGET', KEYS[1], 'remaining')) end
local completed = 0
if remaining == 0 and not terminal(status) then
  local parts = {}
  for i = 8, 7 + sinks do
    local out = redis.call('HGET', KEYS[1], 'o:' .. ARGV[i])
    table.insert(parts, '"' .. ARGV[i] .. '":' .. (out or 'null'))
  end
  redis.call('HSET', KEYS[1], 'status', 'completed', 'finishedAt', ARGV[2], 'output', '{' .. table.concat(parts, ',') .. '}')
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[6])
  compact(KEYS[2])
  completed = 1
end
return {state, remaining, completed, unpack(ready)}
`);

/** KEYS: run, events. ARGV: step, now, errorJson, final ('1'|'0'), stepEventJson,
 * runEventJson, skippedEventTemplate (JSON with "__STEP__"), eventsMaxLen, then all step names.
 * A final failure fails the run and marks every step that has not started as skipped. */
export const stepFailedScript = luaScript(`
${TERMINAL}
${COMPACT}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
local s = redis.call('HGET', KEYS[1], 's:' .. ARGV[1])
if s == 'completed' or s == 'failed' or s == 'skipped' then return 0 end
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'e', ARGV[5])
if ARGV[4] ~= '1' then return 1 end
redis.call('HSET', KEYS[1], 's:' .. ARGV[1], 'failed', 't1:' .. ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'remaining', -1)
if terminal(status) then return 1 end
for i = 9, #ARGV do
  local name = ARGV[i]
  if redis.call('HGET', KEYS[1], 's:' .. name) == 'pending' then
    redis.call('HSET', KEYS[1], 's:' .. name, 'skipped')
    redis.call('HINCRBY', KEYS[1], 'remaining', -1)
    local event = string.gsub(ARGV[7], '__STEP__', name)
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'e', event)
  end
end
redis.call('HSET', KEYS[1], 'status', 'failed', 'finishedAt', ARGV[2], 'error', ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'e', ARGV[6])
compact(KEYS[2])
return 1
`);
