// Fuzz target: trafficwatch's access-log line parser, fed every line of the input. Checks that
// it never crashes, that every view it returns lies inside the line, and the fields' ranges.
#include "../../apps/trafficwatch/logline.hpp" // pure: needs only apps/trafficwatch/logline.cpp

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check_inside(std::string_view line, std::string_view part) {
  if (part.empty()) return;
  if (part.data() < line.data() || part.data() + part.size() > line.data() + line.size())
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    tw::LogLine l;
    if (tw::parse_line(line, l) != tw::LineError::Ok) continue;
    for (auto part : {l.remote_addr, l.remote_user, l.request, l.method, l.path, l.referer,
                      l.user_agent, l.upstream_time})
      check_inside(line, part);
    if (l.status < 0 || l.status > 599 || l.remote_addr.empty() || l.remote_user.empty())
      std::abort();
    if (tw::unescape(l.user_agent).size() > l.user_agent.size()) std::abort();
  }
  return 0;
}
