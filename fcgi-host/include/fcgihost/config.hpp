// Config: the app's settings, read from an INI file ("[db]\npath=x" becomes "db.path"; the
// dialect Boost.Program_options' config files accept, read without Boost). Typed getters; a
// missing key or a bad value throws ConfigError naming it, so a broken config stops the app at
// make_app() time, never in the middle of a request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fh {

// A missing key, a value of the wrong type, or an unreadable file. The message names the key (and
// the file), never a secret's value.
class ConfigError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class Config {
public:
  // Reads `path` (INI; any section.key is accepted). Later loads override earlier values.
  // Throws ConfigError if the file cannot be read or parsed.
  void load_file(const std::string& path);
  // Loads the file named by environment variable `var` (APP_CONFIG_FILE: the front ends set it
  // from --config). Returns false if the variable is unset or empty and `required` is false;
  // throws ConfigError if it is unset and `required`.
  bool load_from_env(const char* var = "APP_CONFIG_FILE", bool required = false);

  void set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }
  bool contains(std::string_view key) const { return values_.find(key) != values_.end(); }
  // The file(s) loaded, for messages ("" if none).
  const std::string& source() const noexcept { return source_; }

  // The value of `key` as T (std::string, bool, int, long, std::int64_t, double). Throws
  // ConfigError "config key 'db.path' is missing" / "... is not an integer".
  template <class T> T get(std::string_view key) const;
  // The same, with `fallback` when the key is absent (a present but bad value still throws).
  template <class T> T get(std::string_view key, T fallback) const {
    return contains(key) ? get<T>(key) : fallback;
  }
  std::string get(std::string_view key, const char* fallback) const {
    return get<std::string>(key, std::string(fallback));
  }

private:
  const std::string& raw(std::string_view key) const;
  [[noreturn]] void bad_value(std::string_view key, const char* expected) const;

  std::map<std::string, std::string, std::less<>> values_;
  std::string source_;
};

template <> std::string Config::get<std::string>(std::string_view key) const;
template <> bool Config::get<bool>(std::string_view key) const;
template <> int Config::get<int>(std::string_view key) const;
template <> long Config::get<long>(std::string_view key) const;
template <> long long Config::get<long long>(std::string_view key) const;
template <> double Config::get<double>(std::string_view key) const;

} // namespace fh
