--[[
  Creates a run: the record, its index entry, `run.started`, and the oldest runs trimmed, in one
  call. Shared by create-run.lua and the scripts that create a run and write something beside it:
  they all take the run's KEYS[1..6] and ARGV[1..14] (see create-run.lua), then their own.

  run_keys() and run_args() name them. create_run(k, run, beside) checks the manifest version,
  then the idempotency key, then writes the run; `beside(runId)` is the caller's own write, made
  for the run created or for the one the idempotency key already names, and answers 1 when it
  wrote, 0 when not. Returns {created (1|0), runId, what beside answered}, or {-1}, nothing
  written, when the caller's manifest is not the one published last.
]]
--- @include "trim-runs"
--- @include "step-event"

local function run_keys()
  return {
    run = KEYS[1],
    index = KEYS[2],
    events = KEYS[3],
    idempotency = KEYS[4],
    manifestVersion = KEYS[5],
    unstarted = KEYS[6],
  }
end

local function run_args()
  return {
    id = ARGV[1],
    now = ARGV[2],
    flow = ARGV[3],
    input = ARGV[4],
    trigger = ARGV[5],
    steps = ARGV[6],
    idempotencyTtlMs = ARGV[7],
    manifestVersion = ARGV[8],
    heldStep = ARGV[9],
    maxRuns = tonumber(ARGV[10]),
    floorId = ARGV[11],
    triggerRest = ARGV[12],
    scheduleId = ARGV[13],
    scheduledFor = ARGV[14],
  }
end

-- A key of another run of the flow is built from this prefix (same hash tag, same slot).
local function run_prefix(key, runId)
  return string.sub(key, 1, -#runId - 1)
end

-- One HSET for the record and every step (a step's attempts count from a missing field, 0).
local function write_record(k, run)
  local held, steps = run.heldStep, cjson.decode(run.steps)
  local fields = {}
  local function add(...)
    for _, v in ipairs({ ... }) do
      table.insert(fields, v)
    end
  end
  add('id', run.id, 'flow', run.flow, 'input', run.input, 'createdAt', run.now)
  add('steps', run.steps, 'remaining', #steps)
  -- The trigger less a schedule's id and time, which are fields of their own (see run-trigger.ts).
  add('trigger', run.triggerRest)
  if run.scheduleId ~= '' then add('scheduleId', run.scheduleId) end
  if run.scheduledFor ~= '' then add('scheduledFor', run.scheduledFor) end
  for _, step in ipairs(steps) do
    add('s:' .. step.name, step.name == held and 'running' or 'pending', 'w:' .. step.name, #step.needs)
  end
  if held ~= '' then
    add('status', 'running', 'startedAt', run.now, 'a:' .. held, 1, 't0:' .. held, run.now)
  else
    add('status', 'queued')
  end
  redis.call('HSET', k.run, unpack(fields))
end

local function write_run(k, run)
  write_record(k, run)
  redis.call('ZADD', k.index, 0, run.id)
  local started = '{"at":' .. run.now .. ',"type":"run.started","data":{"trigger":' .. run.trigger .. '}}'
  if run.heldStep ~= '' then
    redis.call('RPUSH', k.events, started, step_event('started', run.now, run.heldStep, 1))
  else
    redis.call('RPUSH', k.events, started)
    redis.call('ZADD', k.unstarted, run.now, run.id)
  end
  local prefixes = { run_prefix(k.run, run.id), run_prefix(k.events, run.id) }
  trim_runs(k.index, k.unstarted, run.maxRuns, run.floorId, prefixes)
end

local function create_run(k, run, beside)
  if run.manifestVersion ~= '' then
    local published = redis.call('GET', k.manifestVersion)
    if published and published ~= run.manifestVersion then return { -1 } end
  end
  if run.idempotencyTtlMs ~= '' then
    local existing = redis.call('GET', k.idempotency)
    if existing then return { 0, existing, beside(existing) } end
    redis.call('SET', k.idempotency, run.id, 'PX', run.idempotencyTtlMs)
  end
  write_run(k, run)
  return { 1, run.id, beside(run.id) }
end
