--[[ A script whose include is not there, for the loader's test. ]]
--- @include "not-there"
return 1
