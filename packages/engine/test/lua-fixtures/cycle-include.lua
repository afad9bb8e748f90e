--- @include "cycle"
local function nothing() end
