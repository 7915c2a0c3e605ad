// Worker-side half of spawn's scoreboard: a FastCGI worker started by spawn publishes its state
// (busy/idle, current method + URI, requests served) here. Outside spawn every call is a no-op.
#pragma once

#include <string_view>

namespace fh::detail {

// Reads the environment spawn set (if any) and maps the scoreboard; call once before threads.
void worker_status_init(int thread_count);
// Thread `thread_index` started a request.
void worker_status_begin(int thread_index, std::string_view method, std::string_view uri);
// Thread `thread_index` finished its request (counts it as served).
void worker_status_end(int thread_index);

} // namespace fh::detail
