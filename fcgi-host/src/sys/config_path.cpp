// See config_path.hpp.
#include "sys/config_path.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fh::detail {

void default_config_beside_binary() noexcept {
  try {
    if (std::getenv("APP_CONFIG_FILE") != nullptr) return;
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return;
    auto ini = exe.replace_extension(".ini"); // hello.cgi / hello.fcgi -> hello.ini
    if (std::filesystem::is_regular_file(ini, ec)) ::setenv("APP_CONFIG_FILE", ini.c_str(), 1);
  } catch (...) {
    // No config beside the binary: the app decides whether it needs one.
  }
}

} // namespace fh::detail
