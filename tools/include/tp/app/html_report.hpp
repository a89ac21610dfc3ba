// The HTML report (issue 11 item 6): one self-contained page that opens offline, with
// TradingView's lightweight-charts (npm, web/package.json; scripts/setup.sh installs it)
// inlined into it. `tickpipe replay --html FILE` writes the replay page: per trading day
// the 1-minute candles of the day session, the opening-range band and every lot's entry
// and exit as markers (a day selector draws one day at a time; every day's data is
// embedded as JSON), the equity curve and its drawdown, and the summary figures.
// `tickpipe sweep --html FILE` writes the sweep page: a heatmap of the objective over two
// parameters, the top-N and walk-forward tables and the best set's equity curve.
//
// Every string of the input is escaped (HTML text, and JSON inside <script> with '<',
// '>' and '&' as \u escapes), so a label cannot end a script or inject markup.
// The page's script writes <pre id="tp-status"> once it has drawn: a JSON object with
// "errors" (window.onerror, unhandled rejections and console.error calls), "charts",
// "days", "candles", "markers" (the embedded totals) and "drawn_days",
// "drawn_candles", "drawn_markers" (what the chart series hold after each day drawn
// once; every day is drawn once when the page's URL ends in #selftest), which the
// browser test (tests/html_report_test.sh) reads back from headless Chromium.
//
// Cold path throughout; allocates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/engine/types.hpp"

namespace tp::app {

/// One minute of trades of one trading day's day session. Prices are in ticks
/// (Price::ticks; the page converts with the instrument's tick size).
struct MinuteBar {
  TradingDay day;
  int64_t minute_utc_s = 0;  ///< start of the minute, UTC seconds since the epoch
  int64_t open = 0, high = 0, low = 0, close = 0;  ///< ticks
  int64_t volume = 0;        ///< lots traded in the minute
};

/// 1-minute OHLC+volume of the trades (kInTrade) of `events` per trading day, day
/// session only (Session::Day), in event order: by trading day, then minute. Events are
/// time-ordered within each segment (as the readers deliver them); a minute met again
/// out of order starts a new bar rather than being merged.
std::vector<MinuteBar> minute_bars(const InputSegments& events);

/// The replay page for `r` with the candles `bars` (minute_bars of the replayed events;
/// bars of a trading day that is not in r.days are left out). Throws std::runtime_error
/// if the chart library cannot be read (the message names the path and how to install it).
std::string format_html_report(const ReplayResult& r, const std::vector<MinuteBar>& bars);

/// The data of a sweep page (filled by the sweep).
struct SweepHtml {
  std::string title;                          // e.g. "sweep of 1000 sets over 41 days"
  std::string objective;                      // "net", "sharpe", ...
  std::string x_param, y_param;               // config keys of the heatmap axes ("" = no heatmap)
  std::vector<std::string> x_values, y_values;  // axis labels (as written in the sweep)
  std::vector<std::vector<double>> heat;      // [y][x] objective, NaN = no set at that cell (best over the other parameters)
  std::vector<std::string> table_header;      // top-N table columns
  std::vector<std::vector<std::string>> table_rows;
  std::vector<std::string> wf_header;         // walk-forward table
  std::vector<std::vector<std::string>> wf_rows;
  std::vector<std::string> day_labels;        // "2024-11-05", ...
  std::vector<double> best_equity;            // best set's cumulative net per day
  std::vector<double> oos_equity;             // walk-forward stitched out-of-sample cumulative net (may be empty); aligned to the LAST oos_equity.size() day_labels
};

/// The sweep page: the heatmap as an HTML table coloured from the lowest (red) to the
/// highest (green) objective (NaN cells grey and empty; the best cell outlined), the
/// top-N and walk-forward tables as given, and the best set's equity curve with the
/// stitched out-of-sample curve. Throws std::runtime_error as format_html_report does.
std::string format_sweep_html(const SweepHtml& s);

/// Path of the inlined library: env TP_LIGHTWEIGHT_CHARTS_JS if set (and not empty),
/// else TP_WEB_DIR "/node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js".
std::string lightweight_charts_path();

/// Writes `html` to `path` (replacing it). Throws std::runtime_error naming the path.
void write_html_file(const std::string& path, const std::string& html);

}  // namespace tp::app
