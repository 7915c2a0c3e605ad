// fh::sys::exec_array / environ_with: what every fork+exec of the project prepares in the parent
// (the child of a fork may not allocate): execve's argv/envp arrays and a child's environment.
#pragma once

#include <string>
#include <vector>

namespace fh::sys {

// The nullptr-terminated array execve and posix_spawn take: pointers into `v`, which must outlive
// it. Build it before fork; the child then only reads it.
std::vector<char*> exec_array(const std::vector<std::string>& v);

// This process's environment with `extra` ("NAME=value") replacing same-named variables or
// adding to them, in environ's order then extra's.
std::vector<std::string> environ_with(const std::vector<std::string>& extra);

} // namespace fh::sys
