// privileges.hpp: whom spawn's children (workers, the CGI gateway and its CGI programs) run as.
// A master started as root keeps root (to re-read its config and bind sockets on HUP) and
// starts every child as an unprivileged user: `user`/`group` from the config, else `fcgi-host`
// if that user exists, else nobody/nogroup. Started as another user, children keep that user.
// When no user was asked for and that default user cannot reach a pool's program (a checkout
// under /root), children keep root and the master says so (config_check.cpp).
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace spawn {

struct RunAs {
  bool drop = false; // false: the child keeps the master's credentials
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups; // supplementary groups (the user's, as initgroups would set)
  std::string name;          // "user:group", for logs
};

// Resolves the children's credentials from the configured user/group (either may be empty).
// `euid` is the master's effective uid (drop only when 0). Throws std::runtime_error naming an
// unknown user or group. "root" given explicitly keeps root (the caller logs a warning).
RunAs resolve_run_as(const std::string& user, const std::string& group, uid_t euid);

// In the child between fork and exec (async-signal-safe calls only): setgroups, setgid, setuid,
// then checks that root cannot be regained. Returns false (errno set) if any step failed.
bool apply_run_as(const RunAs& r) noexcept;

} // namespace spawn
