--[[ A script whose include includes it back, for the loader's test. ]]
--- @include "cycle-include"
return 1
