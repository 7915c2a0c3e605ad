// config.cpp: Boost.Program_options descriptions for spawn's global and per-pool options and the
// INI reader ([pool.NAME] and [daemon.NAME] sections reuse the per-pool options). Validation and
// the --check-config lines are in config_check.cpp.
#include "config.hpp"

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

namespace po = boost::program_options;

namespace spawn {
namespace {

constexpr const char* kUsage =
    "usage: spawn [options] [-- APP [ARGS...]]\n"
    "       spawn --config FILE [--check-config]\n"
    "       spawn --cgi-dir DIR [options]\n"
    "       spawn ctl --control SOCKET status [POOL] | scale POOL +N|-N|N | reload POOL\n"
    "A prefork FastCGI supervisor: binds the socket, starts workers with it at fd 0, respawns,\n"
    "recycles, reloads (SIGHUP) and reports status. spawn-fcgi flags keep their meaning.\n"
    "\n"
    "INI file: top-level keys are master options; a [pool.NAME] section is one FastCGI pool (its\n"
    "keys are the pool options below, without '--'); a [daemon.NAME] section is a supervised\n"
    "command with no socket (exec=, arg=, env=, chdir=, graceful-timeout=): started with spawn,\n"
    "restarted with back-off when it exits, stopped with spawn, shown in the status. Example:\n"
    "  [daemon.ingest]\n"
    "  exec = /usr/local/bin/trafficwatch-ingest\n"
    "  arg = --follow\n"
    "  arg = /var/log/nginx/access.log\n";

// Options that describe one pool; shared by the command line and [pool.NAME] sections.
po::options_description pool_options() {
  po::options_description d("Pool options (command line, or keys of a [pool.NAME] INI section)");
  d.add_options()                                                                              //
      ("name", po::value<std::string>(), "pool name (log tag, status key)")                    //
      ("app,f", po::value<std::string>(), "application; -f runs it via /bin/sh -c 'exec APP'") //
      ("exec", po::value<std::string>(), "application executable, run directly (INI: exec=)")  //
      ("arg", po::value<std::vector<std::string>>()->composing(), "one application argument")  //
      ("address,a", po::value<std::string>(), "TCP address to bind (default 127.0.0.1)")       //
      ("port,p", po::value<int>(), "TCP port to bind (0: any free port)")                      //
      ("socket,s", po::value<std::string>(), "unix socket path to bind")                       //
      ("socket-mode,M", po::value<std::string>(), "unix socket mode, octal (default 0600)")    //
      ("socket-user,U", po::value<std::string>(), "unix socket owner")                         //
      ("socket-group,G", po::value<std::string>(), "unix socket group")                        //
      ("backlog,b", po::value<int>(), "listen backlog (default 1024)")                         //
      ("workers,F", po::value<int>(), "worker processes (default 1)")                          //
      ("min-workers", po::value<int>(), "dynamic mode: fewest workers")                        //
      ("max-workers", po::value<int>(), "dynamic mode: most workers")                          //
      ("max-requests", po::value<long>(), "recycle a worker after N requests (0: never)")      //
      ("max-requests-jitter", po::value<long>(), "add 0..N to max-requests per worker")        //
      ("timeout", po::value<double>(), "kill a worker busy on one request longer (s)")         //
      ("max-rss", po::value<long>(), "recycle a worker whose RSS exceeds MB")                  //
      ("max-queue-wait", po::value<long>(), "503 if queued in nginx over MS (0: off)")         //
      ("keepalive", po::bool_switch(), "nginx keeps connections: check the workers")           //
      ("graceful-timeout", po::value<double>(), "seconds a stopping worker may take (30)")     //
      ("reload-on-change", po::bool_switch(), "reload when the app binary changes on disk")    //
      ("chdir,d", po::value<std::string>(), "working directory of the workers")                //
      ("env", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE for workers")     //
      ("stagger", po::value<int>(), "workers recycled at once (default 1)")                    //
      ("ready-after", po::value<double>(), "s after which a silent new worker is ready (1)")   //
      ("max-boot-failures", po::value<int>(), "start-up crashes in a row before halting (5)")  //
      ("allowed-clients", po::value<std::string>(), "comma list of allowed client IPs")        //
      ("cgi-dir", po::value<std::string>(), "run the CGI gateway over this directory")         //
      ("cgi-timeout", po::value<int>(), "CGI gateway: per-script timeout (s)")                 //
      ("max-cgi", po::value<int>(), "CGI gateway: concurrent CGI processes")                   //
      ("threads", po::value<int>(), "CGI gateway: threads per gateway worker")                 //
      ("gateway", po::value<std::string>(),
       "CGI gateway executable (default: cgi-gateway beside spawn)");
  return d;
}

po::options_description global_options() {
  po::options_description d("Master options");
  d.add_options()                                                                      //
      ("help,h", "show this help")                                                     //
      ("version,v", "show the version")                                                //
      ("config", po::value<std::string>(), "INI file: globals + [pool.NAME] sections") //
      ("check-config", po::bool_switch(), "validate the configuration and exit")       //
      ("no-fork,n", po::bool_switch(), "stay in the foreground")                       //
      ("pid-file,P", po::value<std::string>(), "write the master's pid here")          //
      ("user,u", po::value<std::string>(), "drop privileges to USER (when root)")      //
      ("group,g", po::value<std::string>(), "drop privileges to GROUP (when root)")    //
      ("control", po::value<std::string>(), "status socket: unix PATH or HOST:PORT")   //
      ("log-file", po::value<std::string>(), "log here instead of stderr");
  return d;
}

template <class T> void take(const po::variables_map& vm, const char* key, T& out) {
  if (vm.count(key)) out = vm[key].as<T>();
}

PoolConfig pool_from(const po::variables_map& vm, std::vector<std::string> command) {
  PoolConfig p;
  take(vm, "name", p.name);
  if (vm.count("exec")) p.app = vm["exec"].as<std::string>();
  if (vm.count("app")) {
    p.app = vm["app"].as<std::string>();
    p.via_shell = true;
  }
  take(vm, "arg", p.args);
  if (!command.empty()) { // -- APP ARGS wins over -f, as in spawn-fcgi
    p.app = command[0];
    p.via_shell = false;
    p.args.assign(command.begin() + 1, command.end());
  }
  take(vm, "address", p.address);
  if (vm.count("port")) p.port = vm["port"].as<int>();
  take(vm, "socket", p.socket);
  if (vm.count("socket-mode")) {
    const std::string& m = vm["socket-mode"].as<std::string>();
    std::size_t used = 0;
    unsigned long v = std::stoul(m, &used, 8);
    if (used != m.size() || v > 07777) throw ConfigError("socket-mode: not an octal mode: " + m);
    p.socket_mode = static_cast<mode_t>(v);
  }
  take(vm, "socket-user", p.socket_user);
  take(vm, "socket-group", p.socket_group);
  take(vm, "backlog", p.backlog);
  take(vm, "workers", p.workers);
  take(vm, "min-workers", p.min_workers);
  take(vm, "max-workers", p.max_workers);
  take(vm, "max-requests", p.max_requests);
  take(vm, "max-requests-jitter", p.max_requests_jitter);
  take(vm, "timeout", p.timeout);
  take(vm, "max-rss", p.max_rss_mb);
  take(vm, "max-queue-wait", p.max_queue_wait_ms);
  p.keepalive = vm.count("keepalive") && vm["keepalive"].as<bool>();
  take(vm, "graceful-timeout", p.graceful_timeout);
  p.reload_on_change = vm.count("reload-on-change") && vm["reload-on-change"].as<bool>();
  take(vm, "chdir", p.chdir);
  take(vm, "env", p.env);
  take(vm, "stagger", p.stagger);
  take(vm, "ready-after", p.ready_after);
  take(vm, "max-boot-failures", p.max_boot_failures);
  take(vm, "allowed-clients", p.allowed_clients);
  take(vm, "cgi-dir", p.cgi_dir);
  take(vm, "cgi-timeout", p.cgi_timeout);
  take(vm, "max-cgi", p.max_cgi);
  take(vm, "threads", p.threads);
  if (vm.count("gateway")) p.app = vm["gateway"].as<std::string>();
  if (!p.cgi_dir.empty() && p.name.empty()) p.name = "cgi";
  if (p.name.empty() && !p.app.empty()) {
    std::filesystem::path app(p.app);
    p.name = app.extension() == ".fcgi" ? app.stem().string() : app.filename().string();
  }
  if (p.min_workers > 0 && p.workers < p.min_workers) p.workers = p.min_workers;
  return p;
}

// Reads an INI file: top-level keys are master options, [pool.NAME] keys are pool options.
void read_ini(const std::string& path, SpawnConfig& cfg, po::variables_map& globals) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config file " + path);
  po::parsed_options parsed = po::parse_config_file(in, po::options_description(), true);
  std::vector<std::string> global_tokens;
  std::map<std::string, std::vector<std::string>> pool_tokens; // pool name -> "--key=value"...
  std::vector<std::string> order;
  std::set<std::string> daemons, pools;
  for (const po::option& o : parsed.options) {
    const std::string& key = o.string_key;
    std::string value = o.value.empty() ? "" : o.value.front();
    bool daemon = key.rfind("daemon.", 0) == 0;
    if (daemon || key.rfind("pool.", 0) == 0) {
      std::string rest = key.substr(daemon ? 7 : 5);
      std::size_t dot = rest.find('.');
      if (dot == std::string::npos || dot == 0)
        throw ConfigError(path + ": bad key " + key + " (use [pool.NAME] or [daemon.NAME])");
      std::string name = rest.substr(0, dot), k = rest.substr(dot + 1);
      if (!pool_tokens.count(name)) order.push_back(name);
      if (daemon) daemons.insert(name);
      (daemon ? daemons : pools).insert(name);
      if (daemons.count(name) && pools.count(name))
        throw ConfigError(path + ": [pool." + name + "] and [daemon." + name +
                          "] share a name; names must be unique");
      if (k == "reload-on-change" || k == "keepalive") { // switches: on/off in the file
        if (value == "true" || value == "1" || value == "yes" || value == "on")
          pool_tokens[name].push_back("--" + k);
        else if (value != "false" && value != "0" && value != "no" && value != "off")
          throw ConfigError(path + ": [pool." + name + "]: " + k + " must be on or off, not '" +
                            value + "'");
      } else {
        pool_tokens[name].push_back("--" + k + "=" + value);
      }
    } else if (key.find('.') != std::string::npos) {
      throw ConfigError(path + ": unknown section in key " + key);
    } else if (key == "no-fork" || key == "check-config") {
      if (value == "true" || value == "1" || value == "yes" || value == "on")
        global_tokens.push_back("--" + key);
    } else {
      global_tokens.push_back("--" + key + "=" + value);
    }
  }
  po::options_description gd = global_options();
  try {
    po::store(po::command_line_parser(global_tokens).options(gd).run(), globals);
  } catch (const po::error& e) {
    throw ConfigError(path + ": " + e.what());
  }
  po::options_description pd = pool_options();
  for (const std::string& name : order) {
    po::variables_map vm;
    try {
      po::store(po::command_line_parser(pool_tokens[name]).options(pd).run(), vm);
    } catch (const po::error& e) {
      throw ConfigError(path + ": [pool." + name + "]: " + e.what());
    }
    PoolConfig p = pool_from(vm, {});
    p.name = name;
    p.daemon = daemons.count(name) > 0;
    cfg.pools.push_back(std::move(p));
  }
}

void apply_globals(const po::variables_map& vm, SpawnConfig& cfg) {
  take(vm, "pid-file", cfg.pidfile);
  take(vm, "user", cfg.user);
  take(vm, "group", cfg.group);
  take(vm, "control", cfg.control);
  take(vm, "log-file", cfg.log_file);
  if (vm.count("no-fork") && vm["no-fork"].as<bool>()) cfg.foreground = true;
  if (vm.count("check-config") && vm["check-config"].as<bool>()) cfg.check_only = true;
}

} // namespace

ParseResult parse_command_line(int argc, const char* const* argv) {
  ParseResult r;
  std::vector<std::string> opts, command;
  bool after = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!after && a == "--") {
      after = true;
      continue;
    }
    (after ? command : opts).push_back(a);
  }
  po::options_description gd = global_options(), pd = pool_options(), all;
  all.add(gd).add(pd);
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::vector<std::string>>());
  po::options_description parse_with;
  parse_with.add(all).add(hidden);
  po::positional_options_description pos;
  pos.add("command", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(opts).options(parse_with).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(e.what());
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("bad number: ") + e.what());
  }
  if (vm.count("help")) {
    std::ostringstream os;
    os << kUsage << "\n"
       << all << "\nSignals: TERM graceful stop, INT/QUIT fast stop, HUP reload,"
       << " TTIN/TTOU one worker more/less (every pool), USR1 reopen the log.\n"
       << "One pool: spawn ctl --control SOCKET scale POOL +N|-N|N, reload POOL, status [POOL]"
       << " (spawn ctl --help).\n";
    r.output = os.str();
    r.exit_now = 0;
    return r;
  }
  if (vm.count("version")) {
    r.output = "spawn (fcgi-host) 0.1.0\n";
    r.exit_now = 0;
    return r;
  }
  if (vm.count("command")) {
    auto pos_cmd = vm["command"].as<std::vector<std::string>>();
    command.insert(command.begin(), pos_cmd.begin(), pos_cmd.end());
  }
  SpawnConfig& cfg = r.config;
  if (vm.count("config")) {
    cfg.config_file = vm["config"].as<std::string>();
    po::variables_map file_globals;
    read_ini(cfg.config_file, cfg, file_globals);
    apply_globals(file_globals, cfg);
  }
  apply_globals(vm, cfg); // the command line wins over the file
  bool cli_pool = !command.empty();
  for (const auto& o : pd.options())
    if (vm.count(o->long_name()) && !vm[o->long_name()].defaulted()) cli_pool = true;
  if (cli_pool) {
    try {
      cfg.pools.push_back(pool_from(vm, command));
    } catch (const std::invalid_argument& e) {
      throw ConfigError(std::string("bad number: ") + e.what());
    }
  }
  return r;
}

SpawnConfig reload_config(int argc, const char* const* argv) {
  return parse_command_line(argc, argv).config;
}

} // namespace spawn
