// Ingest: reads logs through LogReaders, aggregates each line and commits each batch with the
// readers' positions; in follow mode it also runs the alert engine and its notifications.
#pragma once

#include "alerts.hpp"
#include "notify.hpp"
#include "reader.hpp"
#include "store.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fh {
class Config;
}

namespace tw {

struct IngestOptions {
  std::uint64_t batch_lines = 200000;            // commit at least this often (lines)
  std::chrono::milliseconds flush_interval{500}; // follow: commit pending lines this often
  std::chrono::milliseconds poll_interval{200};  // follow: sleep when nothing was read
  std::chrono::milliseconds eval_interval{500};  // follow: alert evaluation
  std::size_t poll_budget = 8 << 20;             // bytes read from one file per turn
  std::int64_t minute_retention =
      std::int64_t{48} * 3600; // older minutes roll up into hours (0: never)
  ReaderOptions reader;

  static IngestOptions from_config(const fh::Config& config);
};

// The site of a log: config key sites.<file name> if set, else the file name without ".log".
std::string site_for(const fh::Config& config, const std::string& path);

class Ingest : public LineSink {
public:
  Ingest(Store& store, IngestOptions options);

  void add_file(const std::string& path, const std::string& site);
  void use_alerts(std::unique_ptr<Engine> engine, std::unique_ptr<Notifier> notifier);

  // Reads every file to its end, commits, returns. Lines counted are in the store.
  void run_once();
  // Follows the files until `stop` is set; commits and returns.
  void run_follow(const std::atomic<bool>& stop);

  void line(const std::string& site, std::string_view text) override;
  void broken_line(const std::string& site, std::string_view start, const char* why) override;

  std::uint64_t valid() const noexcept { return valid_; }
  std::uint64_t malformed() const noexcept { return malformed_; }

private:
  void flush();
  void evaluate(std::int64_t now);
  void rollup();
  void malformed_line(const std::string& site, std::string_view text, const char* why);

  Store& store_;
  IngestOptions opt_;
  std::vector<std::unique_ptr<LogReader>> readers_;
  Batch batch_;
  std::map<std::string, std::int64_t, std::less<>> last_time_; // per site: for malformed lines
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Notifier> notifier_;
  std::uint64_t valid_ = 0, malformed_ = 0;
};

} // namespace tw
