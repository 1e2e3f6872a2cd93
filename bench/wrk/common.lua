-- Shared by the bench scripts: bearer token from the first script argument,
-- and a machine-readable summary line that bench/load.py parses.
function kube_init(args)
   wrk.headers["Authorization"] = "Bearer " .. args[1]
   wrk.headers["Accept"] = "application/json"
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"status_errors":%d,'
      .. '"socket_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"mean_us":%.1f}\n',
      summary.requests, summary.duration, summary.bytes, e.status,
      e.connect + e.read + e.write, e.timeout, latency:percentile(50),
      latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
