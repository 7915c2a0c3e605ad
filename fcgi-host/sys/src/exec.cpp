// fh::sys::exec_array and environ_with (see exec.hpp): the parent's half of a fork+exec.
#include <fh/sys/exec.hpp>

#include <string_view>

extern char** environ; // NOLINT: POSIX names it so

namespace fh::sys {
namespace {

std::string_view var_name(std::string_view assignment) {
  return assignment.substr(0, assignment.find('='));
}

} // namespace

std::vector<char*> exec_array(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v)
    out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> environ_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view name = var_name(*e);
    bool replaced = false;
    for (const auto& x : extra)
      replaced = replaced || var_name(x) == name;
    if (!replaced) env.emplace_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

} // namespace fh::sys
