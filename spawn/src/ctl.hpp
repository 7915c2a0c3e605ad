// ctl.hpp: `spawn ctl`, the command-line client of a running master's control socket: status
// of all pools or one, per-pool scale and reload.
#pragma once

namespace spawn {

// argv[0] is "ctl". Returns the exit status: 0 done, 1 refused or unreachable, 2 usage.
int ctl_main(int argc, const char* const* argv);

} // namespace spawn
