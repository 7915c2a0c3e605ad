// TempDir for trafficwatch's tests: a fresh directory under /tmp, removed with all it holds when
// the object goes (a fixture member replaces mkdtemp in SetUp and remove_all in TearDown).
#pragma once

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace tw::testing {

class TempDir {
public:
  // Throws std::system_error when mkdtemp fails (the test then fails in its fixture).
  explicit TempDir(std::string_view prefix) : path_("/tmp/" + std::string(prefix) + "XXXXXX") {
    if (::mkdtemp(path_.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of `name` inside the directory.
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

private:
  std::string path_;
};

} // namespace tw::testing
