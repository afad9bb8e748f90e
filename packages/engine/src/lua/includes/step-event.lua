--[[
  The JSON of a step's `started` or `completed` event, built from values the script already has
  rather than sent as JSON with every call. Step names need no JSON escaping (letters, digits,
  '-' and '_').
]]
local function step_event(kind, now, step, attempt)
  return string.format('{"at":%s,"type":"step.%s","step":"%s","attempt":%s}', now, kind, step, attempt)
end
