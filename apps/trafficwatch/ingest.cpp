// Ingest: the read -> parse -> aggregate -> commit loop (once or following), malformed-line
// accounting and samples, and the alert evaluation with its notifications.
#include "ingest.hpp"

#include <fcgihost/config.hpp>
#include <fcgihost/log.hpp>

#include <ctime>
#include <thread>

namespace tw {

IngestOptions IngestOptions::from_config(const fh::Config& c) {
  IngestOptions o;
  o.batch_lines = static_cast<std::uint64_t>(
      c.get<long long>("ingest.batch_lines", static_cast<long long>(o.batch_lines)));
  o.flush_interval =
      std::chrono::milliseconds(c.get<long long>("ingest.flush_ms", o.flush_interval.count()));
  o.poll_interval =
      std::chrono::milliseconds(c.get<long long>("ingest.poll_ms", o.poll_interval.count()));
  o.reader.max_line_bytes = static_cast<std::size_t>(
      c.get<long long>("ingest.max_line_bytes", static_cast<long long>(o.reader.max_line_bytes)));
  o.reader.rotate_grace = std::chrono::milliseconds(
      c.get<long long>("ingest.rotate_grace_ms", o.reader.rotate_grace.count()));
  o.minute_retention =
      3600 * c.get<long long>("ingest.minute_retention_hours", o.minute_retention / 3600);
  if (o.minute_retention < 0)
    throw fh::ConfigError("config key 'ingest.minute_retention_hours' is negative");
  if (o.batch_lines < 1 || o.flush_interval.count() < 1 || o.poll_interval.count() < 1 ||
      o.poll_interval.count() > 1000 || o.reader.max_line_bytes < 1024)
    throw fh::ConfigError("config section [ingest]: batch_lines >= 1, flush_ms >= 1, "
                          "poll_ms 1..1000, max_line_bytes >= 1024");
  return o;
}

std::string site_for(const fh::Config& config, const std::string& path) {
  const auto slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (config.contains("sites." + name)) return config.get<std::string>("sites." + name);
  if (name.size() > 4 && name.ends_with(".log")) return name.substr(0, name.size() - 4);
  return name;
}

Ingest::Ingest(Store& store, IngestOptions options) : store_(store), opt_(options) {}

void Ingest::add_file(const std::string& path, const std::string& site) {
  auto r = std::make_unique<LogReader>(path, site, opt_.reader);
  r->restore(store_.file(path), Clock::now());
  if (engine_) engine_->add_site(site);
  readers_.push_back(std::move(r));
}

void Ingest::use_alerts(std::unique_ptr<Engine> engine, std::unique_ptr<Notifier> notifier) {
  engine_ = std::move(engine);
  notifier_ = std::move(notifier);
  for (const auto& r : readers_)
    engine_->add_site(r->site());
  // Alerts that were firing when the last run stopped resolve (or stay) without firing again.
  for (const auto& rec : store_.alerts(true, 1000)) {
    Alert a;
    a.id = rec.id;
    a.rule = rec.rule;
    a.site = rec.site;
    a.severity = rec.severity;
    a.summary = rec.summary;
    a.value = rec.value;
    a.starts_at = rec.starts_at;
    for (const auto& rule : engine_->rules())
      if (rule.name == a.rule) a.kind = to_string(rule.kind);
    engine_->restore(std::move(a));
  }
}

void Ingest::line(const std::string& site, std::string_view text) {
  LogLine l;
  const LineError e = parse_line(text, l);
  if (e != LineError::Ok) return malformed_line(site, text, to_string(e));
  ++valid_;
  batch_.add(site, l);
  auto it = last_time_.find(site);
  if (it == last_time_.end())
    last_time_.emplace(site, l.time);
  else
    it->second = l.time;
  if (engine_) engine_->observe(site, l.time, l.status, l.request_time_ms);
}

void Ingest::broken_line(const std::string& site, std::string_view start, const char* why) {
  malformed_line(site, start, why);
}

void Ingest::malformed_line(const std::string& site, std::string_view text, const char* why) {
  ++malformed_;
  const auto it = last_time_.find(site);
  batch_.add_malformed(site, it != last_time_.end() ? it->second : std::time(nullptr));
  if (malformed_ <= 10 || malformed_ % 10000 == 0)
    fh::log(fh::LogLevel::Warning, "malformed line #" + std::to_string(malformed_) + " (" + why +
                                       ") in site " + site + ": " + fh::log_safe(text));
}

void Ingest::flush() {
  std::vector<FileState> files;
  for (const auto& r : readers_)
    if (r->changed()) files.push_back(r->state());
  if (batch_.empty() && files.empty()) return;
  store_.commit(batch_, files);
  batch_.clear();
  for (const auto& r : readers_)
    r->mark_stored();
}

void Ingest::rollup() {
  if (opt_.minute_retention == 0) return;
  try {
    const auto moved = store_.rollup(std::time(nullptr) - opt_.minute_retention);
    if (moved > 0)
      fh::log(fh::LogLevel::Info, "rolled " + std::to_string(moved) + " minute(s) up into hours");
  } catch (const fh::sqlite::Busy&) {
    fh::log(fh::LogLevel::Warning, "database busy; the roll-up waits for the next turn");
  }
}

void Ingest::run_once() {
  const auto now = Clock::now();
  for (const auto& r : readers_) {
    while (r->poll(*this, false, now, opt_.poll_budget) > 0) {
      if (batch_.lines() >= opt_.batch_lines) flush();
    }
    if (batch_.lines() >= opt_.batch_lines) flush();
  }
  flush();
  rollup();
}

void Ingest::evaluate(std::int64_t now) {
  for (auto& a : engine_->evaluate(now)) {
    try {
      if (a.firing()) {
        AlertRecord rec;
        rec.rule = a.rule;
        rec.site = a.site;
        rec.severity = a.severity;
        rec.summary = a.summary;
        rec.value = a.value;
        rec.starts_at = a.starts_at;
        a.id = store_.alert_fired(rec);
        engine_->set_id(a, a.id);
      } else if (a.id != 0) {
        store_.alert_resolved(a.id, a.ends_at);
      }
    } catch (const std::exception& e) {
      fh::log(fh::LogLevel::Error, std::string("alert history: ") + e.what());
    }
    if (notifier_) notifier_->send(a);
  }
}

void Ingest::run_follow(const std::atomic<bool>& stop) {
  auto last_flush = Clock::now();
  auto last_eval = Clock::time_point{};
  auto last_rollup = Clock::time_point{};
  // A database kept busy by someone else: the batch (and the positions) stay pending, and the
  // whole of it is committed on a later turn. Nothing is half-stored: the transaction rolled back.
  auto try_flush = [&] {
    try {
      flush();
    } catch (const fh::sqlite::Busy&) {
      fh::log(fh::LogLevel::Warning, "database busy; the batch is kept for the next commit");
    }
    last_flush = Clock::now();
  };
  while (!stop.load()) {
    const auto now = Clock::now();
    std::size_t read = 0;
    for (const auto& r : readers_) {
      // Reading stops while a batch twice the size waits for a busy database.
      if (batch_.lines() < 2 * opt_.batch_lines)
        read += r->poll(*this, true, now, opt_.poll_budget);
      if (batch_.lines() >= opt_.batch_lines) try_flush();
    }
    if (Clock::now() - last_flush >= opt_.flush_interval) try_flush();
    if (engine_ && Clock::now() - last_eval >= opt_.eval_interval) {
      evaluate(static_cast<std::int64_t>(std::time(nullptr)));
      last_eval = Clock::now();
    }
    if (Clock::now() - last_rollup >= std::chrono::seconds(60)) {
      rollup();
      last_rollup = Clock::now();
    }
    if (notifier_) notifier_->reap();
    if (read == 0) std::this_thread::sleep_for(opt_.poll_interval);
  }
  flush();
}

} // namespace tw
