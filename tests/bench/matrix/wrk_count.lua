-- wrk_count.lua: wrk script of tests/bench/syscalls.sh. Each wrk thread stops after
-- WRK_PER_THREAD responses, so a run is a fixed number of requests rather than a duration; done()
-- prints "COUNT ok=N other=M" (responses with status 200 / any other status).
local per_thread = tonumber(os.getenv("WRK_PER_THREAD") or "") or 1000

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

ok = 0
other = 0

response = function(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
  if ok + other >= per_thread then wrk.thread:stop() end
end

done = function(summary, latency, requests)
  local o, m = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    m = m + t:get("other")
  end
  io.write(string.format("COUNT ok=%d other=%d\n", o, m))
end
