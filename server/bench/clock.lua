-- Put in front of make bench's own wrk scripts (checkout.lua, shop-mix.lua):
-- the monotonic clock in milliseconds, read through LuaJIT's ffi (wrk's own
-- latency figures cover every request; these scripts time one kind of request
-- each), and the non-empty lines of a file.
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec; int clock_gettime(int clock, bench_timespec *now); ]]
local bench_clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, bench_clock)   -- CLOCK_MONOTONIC
  return tonumber(bench_clock.tv_sec) * 1000 + tonumber(bench_clock.tv_nsec) / 1e6
end

local function lines(path)
  local list = {}
  for line in io.lines(path) do if line ~= "" then table.insert(list, line) end end
  return list
end
