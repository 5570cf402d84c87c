-- Shared by the benchmark scripts: wrk's summary and latency percentiles as one JSON line
-- ("WRK_RESULT {...}") that bench/serving.py parses. Latencies are in microseconds.
local report = {}

local function number(value)
  if value ~= value or value == math.huge or value == -math.huge then
    return "null" -- NaN or infinite (no requests completed)
  end
  return string.format("%.17g", value)
end

-- ``extra`` adds the script's own counters (numbers only).
function report.emit(summary, latency, extra)
  local errors = summary.errors
  local fields = {
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    errors_status = errors.status,
    errors_connect = errors.connect,
    errors_read = errors.read,
    errors_write = errors.write,
    errors_timeout = errors.timeout,
    p50_us = latency:percentile(50),
    p95_us = latency:percentile(95),
    p99_us = latency:percentile(99),
    mean_us = latency.mean,
    max_us = latency.max,
  }
  for name, value in pairs(extra or {}) do
    fields[name] = value
  end
  local parts = {}
  for name, value in pairs(fields) do
    parts[#parts + 1] = string.format('"%s": %s', name, number(value))
  end
  io.write("WRK_RESULT {" .. table.concat(parts, ", ") .. "}\n")
end

function report.done(summary, latency, requests)
  report.emit(summary, latency)
end

return report
