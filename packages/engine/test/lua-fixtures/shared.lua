local function shared() return 1 end
