// The FastCGI front end: main() for NAME.fcgi. Takes the listen socket at fd 0 (as spawn and
// spawn-fcgi hand it over) or binds one (--bind / --socket), runs --threads request threads
// (fcgi_loop.hpp), and on SIGTERM stops accepting, answers every request it holds, then exits.
// The protocol's record types are libfcgi's <fastcgi.h> (io/fcgi_protocol); never fcgi_stdio.h.
#include "fcgihost/main.hpp"

#include "config/config_path.hpp"
#include "fcgihost/log.hpp"
#include "frontend/fcgi_loop.hpp"
#include "frontend/worker_status.hpp"
#include <fh/sys/fd_limit.hpp>
#include <fh/sys/socket.hpp>
#include <fh/sys/worker_protocol.hpp>

#include <boost/program_options.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <pthread.h>
#include <thread>
#include <vector>

namespace po = boost::program_options;

namespace {

// For SIGUSR1/SIGPIPE: USR1 (libfcgi's "shut down") means nothing to this worker; a write to a
// closed connection fails with EPIPE instead of killing the process.
extern "C" void ignore_handler(int /*sig*/) {}

struct Options {
  int threads = 1;
  fh::detail::LoopOptions loop;
};

std::optional<Options> parse_options(int argc, char** argv, fh::sys::ListenSocket& owned) {
  Options opt;
  std::string bind, socket_path, config;
  int backlog = 1024;
  double read_timeout = 10, idle_timeout = 60;
  po::options_description desc("FastCGI worker options");
  desc.add_options()("help,h", "show this help")(
      "bind", po::value(&bind), "listen on HOST:PORT (standalone; default: the socket at fd 0)")(
      "socket", po::value(&socket_path), "listen on a unix socket PATH (standalone)")(
      "backlog", po::value(&backlog)->default_value(1024), "listen backlog for --bind/--socket")(
      "threads", po::value(&opt.threads)->default_value(1), "request threads in this process")(
      "max-requests", po::value(&opt.loop.max_requests)->default_value(0),
      "exit after serving N requests (0: never; default from FH_MAX_REQUESTS)")(
      "max-queue-wait", po::value(&opt.loop.max_queue_wait_ms)->default_value(0),
      "answer 503 + Retry-After at once to a request nginx queued longer than MS milliseconds "
      "(needs FH_REQUEST_START=$msec from nginx; 0: off; default from FH_MAX_QUEUE_WAIT)")(
      "read-timeout", po::value(&read_timeout)->default_value(10),
      "seconds a request may take to arrive whole from its first byte (and a new connection to "
      "start one); a peer that stalls longer is dropped and its request never run")(
      "idle-timeout", po::value(&idle_timeout)->default_value(60),
      "seconds a kept connection may sit idle between requests (keep it above nginx's upstream "
      "keepalive_timeout)")("config", po::value(&config), "config file (sets APP_CONFIG_FILE)");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, desc), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "usage: " << argv[0] << " [options]\n" << desc;
    return std::nullopt;
  }
  if (!config.empty()) ::setenv("APP_CONFIG_FILE", config.c_str(), 1);
  // spawn passes its pool settings this way (fh/sys/worker_protocol.hpp); an explicit flag wins.
  namespace worker = fh::sys::worker;
  if (const char* env = std::getenv(worker::kEnvMaxRequests); env && vm["max-requests"].defaulted())
    opt.loop.max_requests = std::strtol(env, nullptr, 10);
  if (const char* env = std::getenv(worker::kEnvMaxQueueWait);
      env && vm["max-queue-wait"].defaulted())
    opt.loop.max_queue_wait_ms = std::strtol(env, nullptr, 10);
  // Every thread has a scoreboard slot, so spawn's status and --timeout see each one: more
  // threads than slots is refused, not silently left unwatched.
  if (opt.threads < 1 || opt.threads > worker::kMaxThreads)
    throw std::invalid_argument("--threads " + std::to_string(opt.threads) + " refused: 1.." +
                                std::to_string(worker::kMaxThreads) +
                                " (one scoreboard slot each, so that spawn's status and "
                                "--timeout see every thread)");
  if (!(read_timeout > 0) || !(idle_timeout > 0) || read_timeout > 86400 || idle_timeout > 86400)
    throw std::invalid_argument("--read-timeout and --idle-timeout must be 0 < seconds <= 86400");
  opt.loop.threads = opt.threads;
  opt.loop.read_timeout = std::chrono::milliseconds(static_cast<long>(read_timeout * 1000));
  opt.loop.idle_timeout = std::chrono::milliseconds(static_cast<long>(idle_timeout * 1000));
  if (!bind.empty())
    owned = fh::sys::listen_tcp(bind, backlog);
  else if (!socket_path.empty())
    owned = fh::sys::listen_unix(socket_path, backlog);
  opt.loop.listen_fd = owned ? owned.fd() : 0;
  if (!owned && !fh::sys::is_listening_socket(0))
    throw std::invalid_argument("fd 0 is not a listening socket: run under spawn or spawn-fcgi, "
                                "or pass --bind HOST:PORT / --socket PATH");
  return opt;
}

void install_handlers() {
  struct sigaction sa {};
  sa.sa_handler = ignore_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; // libfcgi does not retry a read or write after EINTR
  for (int sig : {SIGUSR1, SIGPIPE})
    ::sigaction(sig, &sa, nullptr);
}

} // namespace

int main(int argc, char** argv) {
  Options opt;
  fh::sys::ListenSocket owned;
  try {
    auto parsed = parse_options(argc, argv, owned);
    if (!parsed) return 0;
    opt = *parsed;
  } catch (const std::exception& e) {
    // At error level and with the boot-error code: spawn halts the pool and shows why.
    fh::log(fh::LogLevel::Error, std::string("cannot start: ") + e.what());
    return fh::sys::worker::kExitBootError;
  }
  fh::detail::default_config_beside_binary();
  std::optional<fh::App> app;
  try {
    app.emplace(make_app());
  } catch (const std::exception& e) {
    fh::log(fh::LogLevel::Error, std::string("cannot start the app: ") + e.what());
    return fh::sys::worker::kExitAppLoadError; // spawn halts the pool instead of a respawn loop
  }

  // TERM/INT/QUIT/HUP are blocked in every thread and taken synchronously by the main thread.
  fh::sys::raise_fd_limit();
  install_handlers();
  sigset_t control;
  sigemptyset(&control);
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP})
    sigaddset(&control, sig);
  pthread_sigmask(SIG_BLOCK, &control, nullptr);
  fh::detail::worker_status_init(opt.threads);

  std::optional<fh::detail::ConnectionLoop> loop;
  try {
    loop.emplace(*app, opt.loop);
  } catch (const std::exception& e) {
    fh::log(fh::LogLevel::Error, std::string("cannot start: ") + e.what());
    return fh::sys::worker::kExitBootError;
  }
  // Standalone (--bind/--socket): say where, with the port actually bound (--bind HOST:0).
  if (owned)
    fh::log(fh::LogLevel::Info,
            "listening on " + owned.address() + ", threads " + std::to_string(opt.threads));
  std::atomic<bool> stopping{false}; // set by the main thread's signal loop or max-requests
  std::atomic<int> running{opt.threads};
  std::vector<std::thread> threads;
  for (int i = 0; i < opt.threads; ++i)
    threads.emplace_back([&, i] {
      loop->run(i, stopping);
      --running;
    });

  const timespec tick{0, 100 * 1000 * 1000};
  bool fast = false;
  while (running.load() > 0) {
    int sig = sigtimedwait(&control, nullptr, &tick);
    if (sig == SIGINT || sig == SIGQUIT) {
      fast = true;
      break;
    }
    if (sig == SIGTERM || sig == SIGHUP) {
      stopping = true;
      loop->wake(); // threads finish the request they are serving, then leave
    }
  }
  if (fast) std::_Exit(0);
  for (auto& t : threads)
    t.join();
  return 0;
}
