// gateway_command.hpp: the CGI gateway as the app of a `--cgi-dir` pool: where its executable
// is (an explicit `gateway` key, else `cgi-gateway` beside spawn's own binary, as the build tree
// and `cmake --install` both lay them out) and the arguments spawn starts it with.
#pragma once

#include "config.hpp"

#include <string>
#include <vector>

namespace spawn {

// DIR/cgi-gateway where DIR holds spawn's own executable (/proc/self/exe), if it is executable;
// else "". Never a path relative to a build tree or the working directory.
std::string gateway_beside_self();

// The gateway's own options for the pool (--cgi-dir, --cgi-timeout, --max-cgi, --threads),
// placed before the pool's `arg` entries.
std::vector<std::string> gateway_args(const PoolConfig& cfg);

} // namespace spawn
