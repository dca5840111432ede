// Where a run's files go, and how they get there. The output directory is made
// and proved writable before the simulation starts (a bad --out once surfaced
// only after the whole run). A run's files are written as one unit: each to a
// temporary name in the directory, every write, flush and close checked, then
// all renamed into place; on any failure every temporary file is removed and
// the files of an earlier run stay as they were. A full disk and a file-size
// limit (main() ignores SIGXFSZ, so `ulimit -f` is a write error, EFBIG) are
// such failures, named with their reason.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lvsim {

struct OutputFile {
  std::string name;  // in the directory: "report.json"
  std::string text;
};

// Writes `files` into `dir` (created if missing) as one unit, then removes
// `stale`: files an earlier run left there that would no longer match the new
// ones (report.html). Throws naming the file and the reason.
void write_files_atomically(const std::string& dir, const std::vector<OutputFile>& files,
                            const std::vector<std::string>& stale = {});

// One file the same way.
void write_file_atomically(const std::string& path, const std::string& text);

// A run's report.out_dir, made ready before the run: created with its parents
// if missing, and proved writable by a probe file written and removed again.
// A directory that cannot be made or written is a FieldError on
// RunSettings::out_dir (in_config_terms names report.out_dir and its source).
// The directories it created are removed again, when still empty, unless the
// run's files were committed into them.
class OutputDir {
 public:
  explicit OutputDir(std::string dir);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  const std::string& path() const { return dir_; }
  // write_files_atomically into the directory.
  void commit(const std::vector<OutputFile>& files, const std::vector<std::string>& stale);

 private:
  std::string dir_;
  std::vector<std::filesystem::path> created_;  // outermost first
  bool committed_ = false;
};

}  // namespace lvsim
