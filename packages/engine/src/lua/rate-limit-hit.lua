--[[
  Counts one hit in a fixed rate-limit window: the first hit creates the window's counter with the
  time left in the window as its expiry, later hits count up.

    Input:
      KEYS[1] the counter of one caller's window

      ARGV[1] milliseconds until the window ends

    Output:
      the hits counted in the window so far, this one included
]]

local counter, windowLeftMs = KEYS[1], ARGV[1]

local count = redis.call('INCR', counter)
if count == 1 then redis.call('PEXPIRE', counter, windowLeftMs) end
return count
