-- Appended to every wrk script of `make bench`: one machine-readable line.
-- RESULT <requests/s> <p50 ms> <p99 ms> <max ms> <errors (socket errors + non-2xx/3xx)>
function report(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f %d\n", summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, errors))
end
done = done or report
