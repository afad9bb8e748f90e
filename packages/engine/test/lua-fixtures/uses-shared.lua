--- @include "shared"
local function uses_shared() return shared() + 1 end
