--[[
  Whether a run's status is final: nothing changes a run once it has one.
]]
local function terminal(status)
  return status == 'completed' or status == 'failed' or status == 'canceled'
end
