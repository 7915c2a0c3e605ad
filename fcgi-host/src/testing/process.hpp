// fh::testing's process plumbing: the environments children get.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace fh::testing::detail {

// `env` plus the sanitizer options of this process (./run test --sanitize sets them), so that a
// finding in the program under test is reported like any other.
std::vector<std::string> with_sanitizer_options(std::vector<std::string> env);

} // namespace fh::testing::detail
