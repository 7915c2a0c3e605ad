// Placeholder scoreboard client: no-ops until spawn's scoreboard lands (see worker_status.hpp).
#include "frontend/worker_status.hpp"

namespace fh::detail {

void worker_status_init(int /*thread_count*/) {}
void worker_status_begin(int /*thread_index*/, std::string_view /*method*/, std::string_view /*uri*/) {}
void worker_status_end(int /*thread_index*/) {}

} // namespace fh::detail
