// See config_path.hpp.
#include "config/config_path.hpp"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace fh::detail {

namespace {

bool use_if_file(const char* path) noexcept {
  struct stat st {};
  if (::stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  ::setenv("APP_CONFIG_FILE", path, 1);
  return true;
}

} // namespace

// Plain readlink/stat on stack buffers: this runs at every CGI start, before the request.
void default_config_beside_binary() noexcept {
  if (std::getenv("APP_CONFIG_FILE") != nullptr) return;
  char path[PATH_MAX + 8];
  const ssize_t n = ::readlink("/proc/self/exe", path, PATH_MAX);
  if (n <= 0 || n >= PATH_MAX) return;
  path[n] = '\0';
  // hello.cgi / hello.fcgi -> hello.ini: replace the extension of the file name (or append one).
  char* base = std::strrchr(path, '/');
  base = base == nullptr ? path : base + 1;
  char* dot = std::strrchr(base, '.');
  if (dot == nullptr || dot == base) dot = path + n;
  std::memcpy(dot, ".ini", 5);
  if (const char* dir = std::getenv("APP_CONFIG_DIR"); dir != nullptr && *dir != '\0') {
    char in_dir[PATH_MAX + 8];
    const int len = std::snprintf(in_dir, sizeof in_dir, "%s/%s", dir, base);
    if (len > 0 && static_cast<std::size_t>(len) < sizeof in_dir && use_if_file(in_dir)) return;
  }
  use_if_file(path);
}

} // namespace fh::detail
