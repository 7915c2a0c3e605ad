// privileges.cpp: resolving and applying the unprivileged user spawn's children run as (see
// privileges.hpp). Resolution happens in the master (getpwnam & co. are not fork-safe); the
// child only makes the three set*id calls.
#include "privileges.hpp"

#include <cerrno>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>
#include <unistd.h>

namespace spawn {
namespace {

constexpr const char* kDefaultUser = "fcgi-host";
constexpr const char* kFallbackUser = "nobody";
constexpr const char* kFallbackGroup = "nogroup";

gid_t group_id(const std::string& name) {
  const group* gr = ::getgrnam(name.c_str());
  if (gr == nullptr) throw std::runtime_error("unknown group " + name);
  return gr->gr_gid;
}

std::string group_name(gid_t gid) {
  const group* gr = ::getgrgid(gid);
  return gr != nullptr ? gr->gr_name : std::to_string(gid);
}

} // namespace

RunAs resolve_run_as(const std::string& user, const std::string& group, uid_t euid) {
  RunAs r;
  if (euid != 0) return r; // not root: nothing to drop, children keep our user
  std::string name = user;
  if (name.empty()) name = ::getpwnam(kDefaultUser) != nullptr ? kDefaultUser : kFallbackUser;
  const passwd* pw = ::getpwnam(name.c_str());
  if (pw == nullptr) throw std::runtime_error("unknown user " + name);
  if (pw->pw_uid == 0) return r; // root, asked for by name
  r.drop = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  if (!group.empty()) {
    r.gid = group_id(group);
  } else if (user.empty() && name == kFallbackUser && ::getgrnam(kFallbackGroup) != nullptr) {
    r.gid = group_id(kFallbackGroup);
  }
  // The user's supplementary groups (as initgroups), with the chosen primary group first.
  int n = 32;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  while (::getgrouplist(pw->pw_name, r.gid, groups.data(), &n) < 0)
    groups.resize(static_cast<std::size_t>(n));
  groups.resize(static_cast<std::size_t>(n));
  r.groups = std::move(groups);
  r.name = std::string(pw->pw_name) + ":" + group_name(r.gid);
  return r;
}

bool apply_run_as(const RunAs& r) noexcept {
  if (!r.drop) return true;
  if (::setgroups(r.groups.size(), r.groups.data()) != 0) return false;
  if (::setgid(r.gid) != 0) return false;
  if (::setuid(r.uid) != 0) return false;
  // setuid from root drops all three uids; make sure (a failure here is a kernel surprise).
  if (::setuid(0) == 0) {
    errno = EPERM;
    return false;
  }
  return true;
}

} // namespace spawn
