--[[
  Deletes the oldest runs beyond the count or age limit, at most a batch per call so it stays
  cheap. `prefixes` are the names of the new run's own keys less its id: run keys share the
  flow's hash tag, so the keys built from them stay in the script's slot.
]]
local function trim_runs(index, unstarted, maxRuns, floorId, prefixes)
  local removed = 0
  local excess = redis.call('ZCARD', index) - maxRuns
  while removed < 50 do
    local oldest = redis.call('ZRANGE', index, 0, 0)[1]
    if not oldest then break end
    if excess <= 0 and oldest >= floorId then break end
    redis.call('ZREM', index, oldest)
    redis.call('ZREM', unstarted, oldest)
    local doomed = {}
    for i, prefix in ipairs(prefixes) do
      doomed[i] = prefix .. oldest
    end
    redis.call('DEL', unpack(doomed))
    excess = excess - 1
    removed = removed + 1
  end
  return removed
end
