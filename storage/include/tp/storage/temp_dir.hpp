// tp::storage::TempDir - a fresh private directory for a throw-away LMDB database
// (replays without --db, tests, benchmarks), removed with everything in it when the
// object goes out of scope.
//
// Cold path: construction allocates and makes a syscall. Any thread; one owner.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace tp::storage {

class TempDir {
 public:
  /// Creates `<temp dir>/<prefix>-XXXXXX` (mkdtemp, mode 0700; the temp dir is
  /// $TMPDIR or /tmp). Throws std::system_error (errno, the template path) on failure.
  explicit TempDir(std::string_view prefix = "tickpipe") {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "cannot create temporary directory " + tmpl);
    }
    path_ = std::move(tmpl);
  }
  /// Removes the directory and its contents; errors are ignored (nothing to report to).
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// `path()/name`.
  [[nodiscard]] std::string sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace tp::storage
