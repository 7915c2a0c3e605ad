// signals.hpp: the master's self-pipe. Signal handlers write the signal number as one byte to a
// non-blocking CLOEXEC pipe (saving errno) and do nothing else; the main loop polls the read end.
#pragma once

#include <vector>

namespace spawn {

// Creates the pipe and installs handlers for CHLD HUP TERM INT QUIT TTIN TTOU USR1; ignores PIPE.
// Returns the read end's fd (owned by this module for the process's lifetime).
int signals_init();
// Reads every pending signal number from the pipe (non-blocking).
std::vector<int> signals_drain();

} // namespace spawn
