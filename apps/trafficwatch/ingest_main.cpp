// trafficwatch-ingest: the command line. --once FILE... reads to the end and exits, --follow
// FILE... follows like tail -F (with alerts), --totals [--site S] prints the /api/totals JSON.
#include "ingest.hpp"

#include <fcgihost/config.hpp>
#include <fcgihost/log.hpp>

#include <boost/program_options.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <iostream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>

#include <fh/sys/unique_fd.hpp>

namespace po = boost::program_options;

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop(int) {
  g_stop.store(true);
}

struct Args {
  bool once = false, follow = false, totals = false;
  std::string db, config, site;
  std::optional<long long> from, to;
  std::vector<std::string> files;
};

std::optional<Args> parse(int argc, char** argv) {
  Args a;
  long long from = 0, to = 0;
  po::options_description desc(
      "trafficwatch-ingest (--once FILE... | --follow [FILE...] | --totals [--site S]) [options]");
  desc.add_options()("help,h", "show this help")("once", po::bool_switch(&a.once),
                                                 "read each FILE to its end, store, exit")(
      "follow", po::bool_switch(&a.follow),
      "follow the FILEs (default: config ingest.files) like tail -F, with alerts")(
      "totals", po::bool_switch(&a.totals),
      "print the totals JSON and exit")("site", po::value(&a.site), "--totals: only this site")(
      "from", po::value(&from), "--totals: from this unix time")("to", po::value(&to),
                                                                 "--totals: up to this unix time")(
      "db", po::value(&a.db), "SQLite database (overrides config db.path)")(
      "config,c", po::value(&a.config), "INI config file (default: $APP_CONFIG_FILE if set)");
  po::options_description hidden;
  hidden.add_options()("file", po::value(&a.files));
  po::positional_options_description pos;
  pos.add("file", -1);
  po::options_description all;
  all.add(desc).add(hidden);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
  po::notify(vm);
  if (vm.count("from")) a.from = from;
  if (vm.count("to")) a.to = to;
  if (vm.count("help") || int(a.once) + int(a.follow) + int(a.totals) != 1) {
    std::cerr << desc << "\n";
    return std::nullopt;
  }
  return a;
}

// One ingest per database: a second one would read the same logs from the same positions and
// count their lines twice. The lock goes with the process, kill -9 included.
fh::sys::UniqueFd lock_database(const std::string& db) {
  const std::string path = db + ".ingest-lock";
  fh::sys::UniqueFd lock(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!lock) throw std::system_error(errno, std::generic_category(), "open " + path);
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0)
    throw std::runtime_error("another trafficwatch-ingest is using " + db);
  return lock;
}

int run(Args& a) {
  fh::Config cfg;
  if (!a.config.empty())
    cfg.load_file(a.config);
  else
    cfg.load_from_env("APP_CONFIG_FILE", false);
  if (!a.db.empty()) cfg.set("db.path", a.db);
  tw::Store store(cfg.get<std::string>("db.path"), cfg.get<int>("db.busy_timeout_ms", 5000));
  const int top_k = cfg.get<int>("ingest.top_k", 100);
  if (top_k < 1) throw fh::ConfigError("config key 'ingest.top_k' must be at least 1");
  store.set_top_k(static_cast<std::size_t>(top_k));

  if (a.totals) {
    const auto t =
        store.totals(a.site.empty() ? std::nullopt : std::optional(a.site), a.from, a.to);
    std::cout << t.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  const auto lock = lock_database(cfg.get<std::string>("db.path"));
  if (a.files.empty()) {
    std::istringstream in(cfg.get("ingest.files", ""));
    for (std::string f; in >> f;)
      a.files.push_back(f);
  }
  if (a.files.empty()) throw std::invalid_argument("no log files (FILE... or ingest.files)");

  std::sort(a.files.begin(), a.files.end());
  a.files.erase(std::unique(a.files.begin(), a.files.end()), a.files.end()); // each one once
  tw::Ingest ingest(store, tw::IngestOptions::from_config(cfg));
  for (const auto& f : a.files) {
    struct stat st {};
    if (a.once && ::stat(f.c_str(), &st) != 0) throw std::invalid_argument("cannot read " + f);
    ingest.add_file(f, tw::site_for(cfg, f));
  }
  if (a.once) {
    ingest.run_once();
    fh::log(fh::LogLevel::Info, "read " + std::to_string(ingest.valid()) + " valid and " +
                                    std::to_string(ingest.malformed()) + " malformed lines");
    return 0;
  }
  auto rules = tw::Rule::from_config(cfg);
  if (!rules.empty())
    ingest.use_alerts(
        std::make_unique<tw::Engine>(std::move(rules)),
        std::make_unique<tw::Notifier>(cfg.get("alerts.command", ""), cfg.get("alerts.log", "")));
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  fh::log(fh::LogLevel::Info, "following " + std::to_string(a.files.size()) + " file(s)");
  ingest.run_follow(g_stop);
  fh::log(fh::LogLevel::Info, "stopped after " + std::to_string(ingest.valid()) + " valid and " +
                                  std::to_string(ingest.malformed()) + " malformed lines");
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    auto args = parse(argc, argv);
    if (!args) return 2;
    return run(*args);
  } catch (const std::exception& e) {
    std::cerr << "trafficwatch-ingest: " << e.what() << "\n";
  }
  return 1;
}
