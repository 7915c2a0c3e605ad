// See config_path.hpp.
#include "config/config_path.hpp"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace fh::detail {

// Plain readlink/stat on a stack buffer: this runs at every CGI start, before the request.
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
  struct stat st {};
  if (::stat(path, &st) == 0 && S_ISREG(st.st_mode)) ::setenv("APP_CONFIG_FILE", path, 1);
}

} // namespace fh::detail
