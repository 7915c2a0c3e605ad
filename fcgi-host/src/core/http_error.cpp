// abort(): throws HttpError with the status's reason phrase (fh_sys's table) by default.
#include "fcgihost/http_error.hpp"

namespace fh {

void abort(int status, std::string message) {
  if (message.empty()) message = reason_phrase(status);
  throw HttpError(status, message);
}

} // namespace fh
