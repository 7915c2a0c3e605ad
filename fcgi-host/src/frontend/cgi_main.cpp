// The CGI front end (RFC 3875): main() for NAME.cgi. Builds a RawRequest from the environment
// and stdin, lets the app handle it, writes the CGI response to stdout, exits. Nothing runs before
// the request is read beyond make_app() (no static initialisers of ours, no iostreams): start-up
// costs and their fixes are in docs/architecture.md, "CGI start-up".
#include "fcgihost/main.hpp"

#include "config/config_path.hpp"
#include "fcgihost/log.hpp"
#include "io/body_reader.hpp"
#include "io/response_writer.hpp"
#include <fh/sys/io.hpp>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <unistd.h>

extern char** environ; // NOLINT: POSIX names it so

namespace {

constexpr std::string_view kBootFailure =
    "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n\r\n"
    "500 Internal Server Error\n";

int usage(const char* argv0) {
  std::string msg = std::string("usage: REQUEST_METHOD=GET PATH_INFO=/ ") + argv0 +
                    "\n"
                    "A CGI program (RFC 3875): run it from a web server's cgi-bin, with\n"
                    "REQUEST_METHOD and the other meta-variables in its environment. Its config\n"
                    "is APP_CONFIG_FILE, else $APP_CONFIG_DIR/NAME.ini, else NAME.ini beside the\n"
                    "binary; arguments are ignored.\n";
  fh::sys::write_all(STDERR_FILENO, msg);
  return 2;
}

} // namespace

int main(int /*argc*/, char** argv) {
  // The command line is never read while serving: RFC 3875 §4.4 lets a server build argv from
  // the query string (Apache does, for "?a+b"), so "?--config+/dev/stdin" would otherwise let a
  // client choose the config. The config comes from APP_CONFIG_FILE, $APP_CONFIG_DIR/NAME.ini or
  // NAME.ini beside us.
  if (std::getenv("REQUEST_METHOD") == nullptr) return usage(argv[0]);
  fh::detail::default_config_beside_binary();

  fh::RawRequest raw;
  std::size_t count = 0;
  while (environ[count] != nullptr)
    ++count;
  raw.params.reserve(count);
  for (char** e = environ; *e != nullptr; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq != nullptr)
      raw.params.emplace_back(std::string(*e, static_cast<std::size_t>(eq - *e)),
                              std::string(eq + 1));
  }
  try {
    const fh::App app = make_app();
    fh::detail::read_body(
        raw, app.limits(),
        [](char* buf, std::size_t n) { return fh::sys::read_some(STDIN_FILENO, buf, n); }, false);
    const bool head = raw.param("REQUEST_METHOD") == "HEAD";
    const fh::Response response = app.handle(std::move(raw));
    if (!fh::sys::write_all(STDOUT_FILENO, fh::detail::serialize_response(response, head)))
      fh::log(fh::LogLevel::Info, "client gone: could not write the response");
    return 0;
  } catch (const std::exception& e) {
    fh::log(fh::LogLevel::Error, std::string("cannot start the app: ") + e.what());
  } catch (...) {
    fh::log(fh::LogLevel::Error, "cannot start the app: unknown exception");
  }
  fh::sys::write_all(STDOUT_FILENO, kBootFailure);
  return 1;
}
