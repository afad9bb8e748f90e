--[[ A script naming one include twice, directly and through another, for the loader's test. ]]
--- @include "shared"
--- @include "uses-shared"
return shared() + uses_shared()
