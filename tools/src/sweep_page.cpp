// The sweep's HTML page (sweep.hpp format_sweep_page). Interim: the page builder
// (html_report.hpp) is not in the tree yet, so --html is refused with a clear message.
#include <stdexcept>

#include "tp/app/sweep.hpp"

namespace tp::app {
std::string format_sweep_page(const SweepRun& /*r*/, const SweepOutputs& /*o*/) {
  throw std::invalid_argument("--html: the sweep's HTML report is not built yet in this version");
}
}  // namespace tp::app
