// gateway_command.cpp: locating cgi-gateway beside spawn and building its arguments.
#include "gateway_command.hpp"

#include <filesystem>
#include <unistd.h>

namespace spawn {

std::string gateway_beside_self() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  std::filesystem::path gw = self.parent_path() / "cgi-gateway";
  return ::access(gw.c_str(), X_OK) == 0 ? gw.string() : std::string();
}

std::vector<std::string> gateway_args(const PoolConfig& cfg) {
  std::vector<std::string> g = {"--cgi-dir", cfg.cgi_dir, "--cgi-timeout",
                                std::to_string(cfg.cgi_timeout)};
  if (cfg.max_cgi > 0) g.insert(g.end(), {"--max-cgi", std::to_string(cfg.max_cgi)});
  if (cfg.threads > 0) g.insert(g.end(), {"--threads", std::to_string(cfg.threads)});
  return g;
}

} // namespace spawn
