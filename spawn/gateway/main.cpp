// cgi-gateway: command line, signals, listening socket and worker threads. A FastCGI
// responder that runs the CGI programs of one directory (see docs/cgi-gateway.md).
// SIGTERM/SIGINT/SIGHUP/SIGUSR1: stop accepting, finish in-flight requests, exit 0.
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcgiapp.h>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "gateway.hpp"
#include "listener.hpp"
#include "path_resolver.hpp"
#include <fh/sys/fd_limit.hpp>
#include <fh/sys/scoreboard_publisher.hpp>
#include <fh/sys/socket.hpp>

namespace po = boost::program_options;
using namespace fh::gateway;

namespace {

// The self-pipe's write end: the one piece of state the signal handler touches.
volatile sig_atomic_t g_stop_pipe_w = -1;

extern "C" void on_stop_signal(int) {
  const int saved = errno;
  if (g_stop_pipe_w >= 0) [[maybe_unused]]
    auto n = ::write(g_stop_pipe_w, "x", 1);
  errno = saved;
}

struct Options {
  GatewayConfig config;
  std::string cgi_dir, bind, socket;
  unsigned socket_mode = 0660;
  int backlog = 128;
};

// Parses argv; returns nullopt after printing help or an error (exit code in `rc`).
std::optional<Options> parse(int argc, char** argv, int& rc) {
  Options o;
  int timeout = 30, queue_wait = 10, max_cgi = 0, read_timeout = 10;
  std::string mode = "0660";
  po::options_description d("cgi-gateway: run the CGI programs of one directory over FastCGI");
  d.add_options()("help,h", "this help")("cgi-dir", po::value<std::string>()->required(),
                                         "directory holding the CGI programs")(
      "url-prefix", po::value<std::string>()->default_value("/cgi-bin"),
      "URI prefix that maps onto --cgi-dir (\"\" for the root)")(
      "cgi-timeout", po::value(&timeout)->default_value(30), "seconds per CGI process, then 504")(
      "max-cgi", po::value(&max_cgi), "concurrent CGI processes (default: --threads)")(
      "queue-wait", po::value(&queue_wait)->default_value(10),
      "seconds to wait for a free --max-cgi slot, then 503")(
      "read-timeout", po::value(&read_timeout)->default_value(10),
      "seconds a request (params and body) may take to arrive whole; then the connection is "
      "closed and nothing runs")("threads", po::value(&o.config.threads)->default_value(8),
                                 "concurrent requests")(
      "bind", po::value<std::string>(), "listen on HOST:PORT (port 0: any free port)")(
      "socket", po::value<std::string>(), "listen on this unix socket path")(
      "socket-mode", po::value<std::string>()->default_value("0660"), "permissions of --socket")(
      "backlog", po::value(&o.backlog)->default_value(128),
      "listen backlog for --bind/--socket")("tmp-dir", po::value<std::string>(),
                                            "where request bodies over 1 MiB are spooled "
                                            "(default: $TMPDIR or /tmp)")(
      "setenv", po::value<std::vector<std::string>>()->composing(),
      "NAME=value given to every CGI program (repeatable), e.g. APP_CONFIG_FILE=/etc/app.ini");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, d), vm);
    if (vm.count("help")) {
      std::cout << d << "\nWithout --bind/--socket the listening socket must be fd 0.\n";
      rc = 0;
      return std::nullopt;
    }
    po::notify(vm);
    // Strings are read back from the map: binding them with po::value(&s) trips GCC 12's
    // -Wnull-dereference inside Boost's any_cast.
    auto str = [&vm](const char* name) {
      const auto* v = vm.count(name) ? boost::any_cast<std::string>(&vm[name].value()) : nullptr;
      return v ? *v : std::string();
    };
    o.cgi_dir = str("cgi-dir");
    o.config.url_prefix = str("url-prefix");
    o.bind = str("bind");
    o.socket = str("socket");
    mode = str("socket-mode");
    o.config.tmp_dir = str("tmp-dir");
    if (o.config.tmp_dir.empty()) {
      const char* t = std::getenv("TMPDIR");
      o.config.tmp_dir = t && *t ? t : "/tmp";
    }
    if (timeout < 1 || queue_wait < 0 || o.config.threads < 1 || read_timeout < 1 ||
        (vm.count("max-cgi") && max_cgi < 1))
      throw std::runtime_error(
          "--cgi-timeout, --read-timeout, --threads and --max-cgi must be positive");
    // One scoreboard slot per thread, so that spawn's status and --timeout see every thread.
    if (o.config.threads > fh::sys::worker::kMaxThreads)
      throw std::runtime_error("--threads " + std::to_string(o.config.threads) + " refused: 1.." +
                               std::to_string(fh::sys::worker::kMaxThreads) +
                               " (one scoreboard slot each, so that spawn's status and "
                               "--timeout see every thread)");
    if (!o.bind.empty() && !o.socket.empty())
      throw std::runtime_error("--bind and --socket are exclusive");
    auto& prefix = o.config.url_prefix;
    while (!prefix.empty() && prefix.back() == '/')
      prefix.pop_back();
    if (!prefix.empty() && prefix.front() != '/')
      throw std::runtime_error("--url-prefix must start with '/'");
    o.config.cgi_timeout = std::chrono::seconds(timeout);
    o.config.queue_wait = std::chrono::seconds(queue_wait);
    o.config.read_timeout = std::chrono::seconds(read_timeout);
    o.config.max_cgi = vm.count("max-cgi") ? max_cgi : o.config.threads;
    o.socket_mode = static_cast<unsigned>(std::stoul(mode, nullptr, 8));
    o.config.cgi_root = canonical_root(o.cgi_dir);
    if (vm.count("setenv"))
      for (const std::string& kv : vm["setenv"].as<std::vector<std::string>>()) {
        const std::size_t eq = kv.find('=');
        if (eq == 0 || eq == std::string::npos ||
            kv.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") < eq ||
            kv.find_first_of("\r\n", eq) != std::string::npos)
          throw std::runtime_error("--setenv wants NAME=value (NAME of [A-Za-z0-9_]), not " + kv);
        o.config.set_env.push_back(kv);
      }
    return o;
  } catch (const std::exception& e) {
    std::cerr << "cgi-gateway: " << e.what() << "\n" << d;
    rc = fh::sys::worker::kExitBootError; // spawn halts the pool instead of a respawn loop
    return std::nullopt;
  }
}

// Handlers go in before FCGX_Init so libfcgi leaves TERM/USR1/PIPE alone (docs/conventions.md);
// sa_flags = 0: no SA_RESTART, a stop interrupts nothing we rely on (workers block them).
void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1})
    ::sigaction(sig, &sa, nullptr);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, nullptr);
}

// fds 0-2 must exist so that pipes never land on them (fd 0 may be the listen socket).
void ensure_std_fds() {
  for (int fd = 0; fd < 3; ++fd)
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
}

} // namespace

int main(int argc, char** argv) {
  int rc = 0;
  auto opts = parse(argc, argv, rc);
  if (!opts) return rc;
  ensure_std_fds();
  fh::sys::raise_fd_limit();
  Logger log;
  try {
    fh::sys::Pipe stop = fh::sys::make_pipe("self-pipe", O_NONBLOCK);
    g_stop_pipe_w = stop.write.get();
    install_signal_handlers();
    if (const int e = FCGX_Init(); e != 0) throw std::runtime_error("FCGX_Init failed");
    // The socket we bound (its unix socket file goes with it), or fd 0 as spawn hands it over.
    fh::sys::ListenSocket bound;
    if (!opts->bind.empty()) {
      bound = fh::sys::listen_tcp(opts->bind, opts->backlog);
    } else if (!opts->socket.empty()) {
      fh::sys::UnixSocketOptions unix_options;
      unix_options.mode = static_cast<mode_t>(opts->socket_mode);
      bound = fh::sys::listen_unix(opts->socket, opts->backlog, unix_options);
    } else if (!fh::sys::is_listening_socket(0)) {
      std::cerr << "cgi-gateway: fd 0 is not a listening socket; start me under spawn or "
                   "spawn-fcgi, or pass --bind HOST:PORT or --socket PATH\n";
      return fh::sys::worker::kExitBootError;
    }
    const int listen_fd = bound ? bound.fd() : 0;
    const std::string address = bound ? bound.address() : "fd 0";
    prepare_listener(listen_fd);
    CgiSlots slots(opts->config.max_cgi);
    // Under spawn, each thread publishes on the scoreboard like any worker's: spawn's status
    // counts the gateway's requests and its --timeout sees a stuck one.
    fh::sys::worker::Publisher board;
    if (board.attach_from_env()) board.init(opts->config.threads);
    ReadDeadlines deadlines(opts->config.threads);
    const GatewayContext ctx{opts->config, slots,          log, board, deadlines,
                             listen_fd,    stop.read.get()};

    sigset_t stops, old;
    sigemptyset(&stops);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1})
      sigaddset(&stops, sig);
    pthread_sigmask(SIG_BLOCK, &stops, &old); // workers inherit the block: no EINTR in libfcgi
    std::vector<std::thread> workers;
    for (int i = 0; i < opts->config.threads; ++i)
      workers.emplace_back([&ctx, i] { worker_loop(ctx, i); });
    std::thread watchdog([&deadlines] { deadlines.run(std::chrono::milliseconds(250)); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr); // only this thread takes the stop signals
    log.log(Level::Info, "-",
            "listening on " + address + ", cgi-dir " + opts->config.cgi_root + ", prefix '" +
                opts->config.url_prefix + "', threads " + std::to_string(opts->config.threads) +
                ", max-cgi " + std::to_string(opts->config.max_cgi));
    for (auto& t : workers)
      t.join();
    deadlines.stop();
    watchdog.join();
    log.log(Level::Info, "-", "stopped: in-flight requests finished");
    g_stop_pipe_w = -1;
    return 0;
  } catch (const std::exception& e) {
    log.log(Level::Error, "-", std::string("cannot start: ") + e.what());
    return fh::sys::worker::kExitBootError;
  }
}
