// Config: a small INI reader (the dialect Boost.Program_options' parse_config_file accepted, kept
// byte for byte) and the typed conversions with their error messages.
#include "fcgihost/config.hpp"

#include <fh/sys/io.hpp>
#include <fh/sys/unique_fd.hpp>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <limits>

namespace fh {
namespace {

// Reads the whole file with plain read(2): no iostream, so a CGI program that reads its config
// pays for no locale set-up. False when the file cannot be opened or read.
bool read_file(const std::string& path, std::string& out) {
  sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  char buf[4096];
  for (;;) {
    const long n = sys::read_some(fd.get(), buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

} // namespace

// One line at a time: '#' starts a comment anywhere on the line; blank lines are skipped;
// "[name]" sets the prefix "name." for the keys below it; "key = value" (split at the first '=',
// both sides trimmed of spaces, tabs, CR, LF) stores "prefix.key"; any other line is an error.
// A later occurrence of a key overrides an earlier one.
void Config::load_file(const std::string& path) {
  std::string text;
  if (!read_file(path, text)) throw ConfigError("cannot read config file " + path);
  std::string prefix;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    if (line.front() == '[' && line.back() == ']') {
      prefix.assign(line.substr(1, line.size() - 2));
      if (prefix.empty() || prefix.back() != '.') prefix += '.';
    } else if (const auto eq = line.find('='); eq != std::string_view::npos) {
      std::string key = prefix;
      key += trim(line.substr(0, eq));
      values_[std::move(key)] = std::string(trim(line.substr(eq + 1)));
    } else {
      throw ConfigError("config file " + path +
                        ": the options configuration file contains an invalid line '" +
                        std::string(line) + "'");
    }
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
