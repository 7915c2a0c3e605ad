-- wrk_report.lua: wrk script of the bench. Sets the request from the environment and prints one
-- machine-readable WRK_RESULT line at the end, next to wrk's own --latency text. Latencies are in
-- microseconds.
--   BENCH_METHOD, BENCH_BODY, BENCH_CTYPE  the request (GET with no body by default)
--   BENCH_COOKIE   a Cookie header value (a signed-in session for the accounts endpoints)
--   BENCH_EXPECT   the one status that counts as success (e.g. 201 for a create): every other
--                  status is counted in `unexpected` (wrk itself only counts statuses > 399)
--   BENCH_TAG      with @UNIQ@ in BENCH_BODY: the body is built per request, @UNIQ@ replaced by
--                  TAG-tTHREAD-nCOUNTER (unique per run, thread and request: a write endpoint
--                  creates a distinct row each time)
local method = os.getenv("BENCH_METHOD")
if method and method ~= "" then wrk.method = method end
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then wrk.body = body end
local ctype = os.getenv("BENCH_CTYPE")
if ctype and ctype ~= "" then wrk.headers["Content-Type"] = ctype end
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
local expect = tonumber(os.getenv("BENCH_EXPECT") or "")
local tag = os.getenv("BENCH_TAG") or "run"

-- setup() runs in the main Lua state, once per thread: give each thread its number and keep the
-- thread objects so done() can read their counters.
local threads = {}
local next_id = 0
setup = function(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread runs its own copy of this script).
tid = 0
counter = 0
unexpected = 0
first_bad = ""

if body and string.find(body, "@UNIQ@", 1, true) then
  request = function()
    counter = counter + 1
    local u = string.format("%s-t%d-n%d", tag, tid, counter)
    return wrk.format(nil, nil, nil, (string.gsub(body, "@UNIQ@", u)))
  end
end

-- Only with BENCH_EXPECT: a response() callback costs wrk some throughput.
if expect then
  response = function(status, headers, resp_body)
    if status ~= expect then
      unexpected = unexpected + 1
      if first_bad == "" then
        first_bad = tostring(status) .. " " .. string.sub(resp_body or "", 1, 120)
      end
    end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local bad, sample = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (tonumber(t:get("unexpected")) or 0)
    local s = t:get("first_bad")
    if sample == "" and s and s ~= "" then sample = s end
  end
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d " ..
    "timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d unexpected=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, bad))
  if sample ~= "" then
    io.write("WRK_FIRST_UNEXPECTED " .. string.gsub(sample, "\n", " ") .. "\n")
  end
end
