// Config: INI parsing through Boost.Program_options (allow_unregistered: every section.key is
// kept as a string) and the typed conversions with their error messages.
#include "fcgihost/config.hpp"

#include <boost/program_options.hpp>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <limits>

namespace po = boost::program_options;

namespace fh {

void Config::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config file " + path);
  try {
    const po::options_description none;
    const auto parsed = po::parse_config_file(in, none, true);
    for (const auto& opt : parsed.options) {
      values_[opt.string_key] = opt.value.empty() ? std::string() : opt.value.back();
    }
  } catch (const po::error& e) {
    throw ConfigError("config file " + path + ": " + e.what());
  }
  source_ += (source_.empty() ? "" : ", ") + path;
}

bool Config::load_from_env(const char* var, bool required) {
  const char* path = std::getenv(var);
  if (path == nullptr || *path == '\0') {
    if (required)
      throw ConfigError(std::string("no config file: set ") + var + " or pass --config FILE");
    return false;
  }
  load_file(path);
  return true;
}

const std::string& Config::raw(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end())
    throw ConfigError("config key '" + std::string(key) + "' is missing" +
                      (source_.empty() ? std::string() : " (in " + source_ + ")"));
  return it->second;
}

void Config::bad_value(std::string_view key, const char* expected) const {
  // The value itself is not repeated: it may be a secret.
  throw ConfigError("config key '" + std::string(key) + "' is not " + expected +
                    (source_.empty() ? std::string() : " (in " + source_ + ")"));
}

template <> std::string Config::get<std::string>(std::string_view key) const {
  return raw(key);
}

template <> bool Config::get<bool>(std::string_view key) const {
  const std::string& v = raw(key);
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  bad_value(key, "a boolean (true/false, yes/no, on/off, 1/0)");
}

template <> long long Config::get<long long>(std::string_view key) const {
  const std::string& v = raw(key);
  long long out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) bad_value(key, "an integer");
  return out;
}

template <> long Config::get<long>(std::string_view key) const {
  const long long v = get<long long>(key);
  if (v < std::numeric_limits<long>::min() || v > std::numeric_limits<long>::max())
    bad_value(key, "an integer in range");
  return static_cast<long>(v);
}

template <> int Config::get<int>(std::string_view key) const {
  const long long v = get<long long>(key);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    bad_value(key, "an integer in range");
  return static_cast<int>(v);
}

template <> double Config::get<double>(std::string_view key) const {
  const std::string& v = raw(key);
  char* end = nullptr;
  errno = 0;
  const double out = std::strtod(v.c_str(), &end);
  if (v.empty() || errno != 0 || end != v.c_str() + v.size()) bad_value(key, "a number");
  return out;
}

} // namespace fh
