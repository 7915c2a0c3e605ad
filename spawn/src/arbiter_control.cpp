// arbiter_control.cpp: what the control socket answers: GET /status (JSON), /status/POOL (one
// pool), /metrics (Prometheus); POST /pools/POOL/scale?by=±N|to=N and /pools/POOL/reload, the
// per-pool commands of `spawn ctl` (signals TTIN/TTOU/HUP act on every pool).
#include "arbiter.hpp"

#include "log.hpp"

#include <charconv>
#include <unistd.h>

namespace spawn {
namespace {

using Reply = ControlServer::Reply;

Reply text(int status, std::string body) {
  return {status, "text/plain", std::move(body) + "\n"};
}

// "+3", "-1", "4" -> the number; false on anything else.
bool parse_int(std::string_view s, int& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

} // namespace

Pool* Arbiter::find_pool(std::string_view name) const {
  for (auto& p : pools_)
    if (p->name() == name) return p.get();
  return nullptr;
}

MasterStatus Arbiter::snapshot() const {
  double now = monotonic_now();
  MasterStatus m;
  m.pid = ::getpid();
  m.uptime_s = now - started_;
  m.stopping = stopping_;
  for (auto& p : pools_)
    m.pools.push_back(p->status(now));
  return m;
}

ControlServer::Reply Arbiter::on_control(const std::string& method, const std::string& target) {
  std::string_view path(target), query;
  if (std::size_t q = path.find('?'); q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  if (method != "POST") {
    if (path.find("metrics") != std::string_view::npos ||
        path.find("prometheus") != std::string_view::npos)
      return {200, "text/plain; version=0.0.4", render_prometheus(snapshot())};
    if (path.rfind("/status/", 0) == 0) {
      const Pool* p = find_pool(path.substr(8));
      if (p == nullptr) return text(404, "no pool named '" + std::string(path.substr(8)) + "'");
      return {200, "application/json", render_pool_json(p->status(monotonic_now()))};
    }
    return {200, "application/json", render_json(snapshot())};
  }
  // POST /pools/NAME/ACTION
  if (path.rfind("/pools/", 0) != 0) return text(404, "commands: POST /pools/NAME/scale|reload");
  path.remove_prefix(7);
  std::size_t slash = path.find('/');
  if (slash == std::string_view::npos) return text(404, "commands: POST /pools/NAME/scale|reload");
  std::string name(path.substr(0, slash));
  std::string_view action = path.substr(slash + 1);
  Pool* p = find_pool(name);
  if (p == nullptr) return text(404, "no pool named '" + name + "'");
  if (stopping_) return text(409, "spawn is stopping");
  if (action == "reload") {
    log_info("control: reload pool " + name);
    p->reload("spawn ctl reload");
    return text(200, "pool " + name + ": reloading");
  }
  if (action != "scale") return text(404, "unknown command '" + std::string(action) + "'");
  if (p->config().daemon)
    return text(409, "daemon " + name + ": its instances are set by workers=");
  int n = 0;
  bool by = query.rfind("by=", 0) == 0, to = query.rfind("to=", 0) == 0;
  if ((!by && !to) || !parse_int(query.substr(3), n))
    return text(400, "scale needs by=+N, by=-N or to=N");
  log_info("control: scale pool " + name + " " + std::string(query));
  int now_target = by ? p->scale_by(n) : p->scale_to(n);
  return text(200, "pool " + name + ": target workers " + std::to_string(now_target));
}

} // namespace spawn
