// Server-side charts for the dashboard: the geometry of a line chart or a stacked bar chart
// (axes, ticks, polylines, bars) as data for templates/chart.tpl, which draws the SVG. Numbers
// and labels only: every byte of markup is in the template (auto-escaped).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tw {

struct ChartSeries {
  std::string name;      // legend text
  std::string css_class; // the CSS class that colours it (static/dashboard.css)
  // One value per step; nullopt = no data (a gap in a line, no bar).
  std::vector<std::optional<double>> values;
};

struct ChartSpec {
  std::string title;      // the SVG's accessible title
  std::string unit;       // appended to the y labels ("req/s", "ms")
  std::int64_t from = 0;  // the first step's start (unix seconds)
  std::int64_t step = 60; // seconds per value
  std::vector<ChartSeries> series;
};

// A chart's template data: WIDTH, HEIGHT, TITLE, plot box (X0, Y0, X1, Y1), YTICK and XTICK
// sections (position + LABEL), LEGEND (CLASS, NAME, LX), and either LINE sections (CLASS,
// POINTS as "x,y x,y ...", one per unbroken run) or BAR sections (CLASS, X, Y, W, H).
nlohmann::json line_chart(const ChartSpec& spec);
// Bars stacked per step in the order of spec.series.
nlohmann::json stacked_bar_chart(const ChartSpec& spec);

// The smallest 1/2/5 x 10^k at or above v (1 for v <= 0): a y-axis top.
double nice_ceiling(double v) noexcept;
// A short number for an axis: "0", "0.25", "12", "1.5k", "2M".
std::string short_number(double v);

} // namespace tw
