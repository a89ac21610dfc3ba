// A multi-day input: several recorded files (a list, a directory, a glob) read once,
// kept in trading-day order and handed to the replay feed as segments (InputSegments),
// never concatenated or copied. `tickpipe replay` uses it for one file too, so one and
// many days run the same code.
//
// Cold path throughout; allocates. The events of a TickSet are immutable once built, so
// any number of pipelines (threads) may replay the same set at once.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"

namespace tp {

/// Expands `--data` arguments into input files, in argument order:
/// - a regular file stays as is;
/// - a directory gives its regular files whose name ends in .zip .csv .jsonl .json .tpk
///   .bin (sorted by name; README, LICENSE and other files are ignored);
/// - an argument containing '*', '?' or '[' is a glob(3) pattern (matches sorted by name).
/// A path that does not exist, a directory with no input file or a pattern with no match
/// is an InputError (file = the argument, line 0, field "--data"). A file named twice is
/// kept once.
std::vector<std::string> expand_input_paths(const std::vector<std::string>& args);

/// One file of a TickSet.
struct TickFile {
  std::string path;
  ReadStats stats;            ///< the reader's counts (contract, day_contracts, issues)
  TradingDay first_day;       ///< trading day of the first event (invalid when empty)
  TradingDay last_day;
  std::size_t events = 0;
  bool mapped = false;        ///< a binary tick file replayed in place
};

class TickSet {
 public:
  /// Reads every file in `paths` (binary tick files mapped in place, every other format
  /// parsed; on up to `threads` threads, 0 = the machine's cores), then orders the files
  /// by their first event. Throws InputError for a bad file (the first bad file in `paths`
  /// order, whatever the threads did), and for two files whose events overlap in time
  /// (field "--data", naming both: the same day given twice, or a file holding several
  /// days that overlaps another). A file that selects no event (e.g. filtered sessions)
  /// is kept with 0 events.
  TickSet(const std::vector<std::string>& paths, const Instrument& inst, const ReadOptions& opt,
          unsigned threads = 0);
  ~TickSet();
  TickSet(TickSet&&) noexcept;
  TickSet& operator=(TickSet&&) noexcept;
  TickSet(const TickSet&) = delete;
  TickSet& operator=(const TickSet&) = delete;

  /// The files in trading-day order.
  [[nodiscard]] const std::vector<TickFile>& files() const noexcept { return files_; }
  /// One segment per file, in the same order, for Pipeline / FeedAgent. The spans stay
  /// valid while this set lives.
  [[nodiscard]] InputSegments segments() const;
  /// The same events without the night session: each file's maximal runs of events
  /// whose session is not Night, as views (no copy). A run of a configuration with
  /// strategy.trade_night off gives the same lots on these as on segments() (the
  /// strategy ignores night events and no order works across the night; the sweep
  /// checks the equality in tests/sweep_test.cpp): a sweep replays only these.
  [[nodiscard]] InputSegments day_session_segments() const;
  /// Events of every file.
  [[nodiscard]] std::size_t events() const noexcept { return events_; }
  /// The counts of every file added up; contract = the distinct contracts in day order
  /// ("202411,202412"); issues = the first file's with skipped lines (the report names
  /// the file); format = the files' common format (Auto when they differ).
  [[nodiscard]] ReadStats total_stats() const;
  /// The contract trading day `day` used ("" when no file says): TAIFEX files record it
  /// per day, other formats once per file.
  [[nodiscard]] std::string contract_of(TradingDay day) const;

 private:
  struct Source;
  std::vector<std::unique_ptr<Source>> sources_;  ///< parallel to files_
  std::vector<TickFile> files_;
  std::size_t events_ = 0;
};

}  // namespace tp
