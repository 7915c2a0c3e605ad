// Chart geometry for the dashboard's SVG (see chart.hpp): scales, ticks, lines and bars.
#include "chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace tw {
namespace {

constexpr double kWidth = 720, kHeight = 200;
constexpr double kLeft = 56, kRight = 8, kTop = 10, kBottom = 36; // bottom: x labels + legend

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string hhmm(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M", &tm);
  return buf;
}

struct Frame {
  std::size_t steps;
  double ymax;
  double x0 = kLeft, x1 = kWidth - kRight, y0 = kTop, y1 = kHeight - kBottom;
  double step_w() const { return (x1 - x0) / static_cast<double>(steps); }
  double x_mid(std::size_t i) const { return x0 + (static_cast<double>(i) + 0.5) * step_w(); }
  double y(double v) const { return y1 - (y1 - y0) * std::clamp(v / ymax, 0.0, 1.0); }
};

// The frame, axes, ticks and legend shared by both kinds.
nlohmann::json skeleton(const ChartSpec& spec, const Frame& f) {
  nlohmann::json j = {
      {"TITLE", spec.title}, {"WIDTH", num(kWidth)},     {"HEIGHT", num(kHeight)},
      {"X0", num(f.x0)},     {"X1", num(f.x1)},          {"Y0", num(f.y0)},
      {"Y1", num(f.y1)},     {"LABEL_X", num(f.x0 - 4)}, {"LEGEND_Y", num(kHeight - 4)}};
  nlohmann::json yt = nlohmann::json::array();
  for (int i = 0; i <= 4; ++i) {
    const double v = f.ymax * i / 4;
    yt.push_back(
        {{"Y", num(f.y(v))}, {"LABEL", short_number(v) + (i == 4 ? " " + spec.unit : "")}});
  }
  j["YTICK"] = std::move(yt);
  // About six time labels, on steps whose time is a round multiple.
  nlohmann::json xt = nlohmann::json::array();
  const std::size_t every = std::max<std::size_t>(1, (f.steps + 5) / 6);
  for (std::size_t i = 0; i < f.steps; i += every)
    xt.push_back({{"X", num(f.x0 + static_cast<double>(i) * f.step_w())},
                  {"LABEL", hhmm(spec.from + static_cast<std::int64_t>(i) * spec.step)}});
  j["XTICK"] = std::move(xt);
  j["XLABEL_Y"] = num(f.y1 + 14);
  j["XTICK_END"] = num(f.y1 + 4);
  j["LEGEND_BOX_Y"] = num(kHeight - 13);
  nlohmann::json legend = nlohmann::json::array();
  double lx = f.x0;
  for (const auto& s : spec.series) {
    legend.push_back(
        {{"CLASS", s.css_class}, {"NAME", s.name}, {"LX", num(lx)}, {"TX", num(lx + 14)}});
    lx += 24 + 7.0 * static_cast<double>(s.name.size());
  }
  j["LEGEND"] = std::move(legend);
  j["LINE"] = nlohmann::json::array();
  j["BAR"] = nlohmann::json::array();
  return j;
}

std::size_t steps_of(const ChartSpec& spec) {
  std::size_t n = 1;
  for (const auto& s : spec.series)
    n = std::max(n, s.values.size());
  return n;
}

} // namespace

double nice_ceiling(double v) noexcept {
  if (!(v > 0) || !std::isfinite(v)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

std::string short_number(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%gM", std::round(v / 1e5) / 10);
  else if (a >= 1e3)
    std::snprintf(buf, sizeof buf, "%gk", std::round(v / 1e2) / 10);
  else
    std::snprintf(buf, sizeof buf, "%g", std::round(v * 100) / 100);
  return buf;
}

nlohmann::json line_chart(const ChartSpec& spec) {
  double max = 0;
  for (const auto& s : spec.series)
    for (const auto& v : s.values)
      if (v) max = std::max(max, *v);
  const Frame f{steps_of(spec), nice_ceiling(max)};
  auto j = skeleton(spec, f);
  for (const auto& s : spec.series) {
    std::string points;
    auto flush = [&] {
      if (points.empty()) return;
      // A lone point still shows: a zero-length segment with round caps.
      if (points.find(' ') == std::string::npos) points += " " + points;
      j["LINE"].push_back({{"CLASS", s.css_class}, {"NAME", s.name}, {"POINTS", points}});
      points.clear();
    };
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      if (!s.values[i]) {
        flush();
        continue;
      }
      if (!points.empty()) points += ' ';
      points += num(f.x_mid(i)) + "," + num(f.y(*s.values[i]));
    }
    flush();
  }
  return j;
}

nlohmann::json stacked_bar_chart(const ChartSpec& spec) {
  const std::size_t n = steps_of(spec);
  std::vector<double> sums(n, 0);
  for (const auto& s : spec.series)
    for (std::size_t i = 0; i < s.values.size(); ++i)
      sums[i] += s.values[i].value_or(0);
  const Frame f{n, nice_ceiling(*std::max_element(sums.begin(), sums.end()))};
  auto j = skeleton(spec, f);
  const double w = std::max(1.0, f.step_w() - 1);
  std::vector<double> base(n, 0);
  for (const auto& s : spec.series)
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      const double v = s.values[i].value_or(0);
      if (v <= 0) continue;
      const double top = f.y(base[i] + v), bottom = f.y(base[i]);
      base[i] += v;
      j["BAR"].push_back({{"CLASS", s.css_class},
                          {"X", num(f.x0 + static_cast<double>(i) * f.step_w())},
                          {"Y", num(top)},
                          {"W", num(w)},
                          {"H", num(std::max(0.5, bottom - top))},
                          {"TIP", hhmm(spec.from + static_cast<std::int64_t>(i) * spec.step) + " " +
                                      s.name + ": " + short_number(v)}});
    }
  return j;
}

} // namespace tw
