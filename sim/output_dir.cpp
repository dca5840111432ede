#include "sim/output_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/settings.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace fs = std::filesystem;

namespace {

// Writes `text` to `path`, created or truncated, and closes it; every step is
// checked, so a full disk (ENOSPC) or a file-size limit (EFBIG) is an error
// here rather than a short file. Returns 0, or the errno of the step that failed.
int write_whole_file(const fs::path& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return errno;
  const char* at = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t n = write(fd, at, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      close(fd);
      return error;
    }
    at += n;
    left -= static_cast<size_t>(n);
  }
  // Some file systems report a full disk only when the data reaches it.
  if (fsync(fd) != 0 && errno != EINVAL) {
    const int error = errno;
    close(fd);
    return error;
  }
  return close(fd) == 0 ? 0 : errno;
}

void remove_all_of(const std::vector<fs::path>& paths) {
  std::error_code ignored;
  for (const fs::path& path : paths) fs::remove(path, ignored);
}

}  // namespace

void write_files_atomically(const std::string& dir, const std::vector<OutputFile>& files,
                            const std::vector<std::string>& stale) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(dir + ": cannot create directory (" + ec.message() + ")");
  const std::string unchanged = "; nothing in " + dir + " was changed";
  // A device or FIFO is never replaced by a file (as root, renaming over
  // /dev/full would have replaced the device node).
  for (const OutputFile& file : files) {
    const fs::path target = fs::path(dir) / file.name;
    const fs::file_status status = fs::status(target, ec);
    if (fs::exists(status) && !fs::is_regular_file(status))
      throw Error(target.string() +
                  ": is not a regular file (a device, FIFO or directory); expected a file lvsim "
                  "may replace" +
                  unchanged);
  }
  // Per process, so two runs writing one directory never share a temporary.
  const std::string suffix = "." + std::to_string(getpid()) + ".tmp";
  std::vector<fs::path> temporaries;
  for (const OutputFile& file : files) {
    temporaries.push_back(fs::path(dir) / (file.name + suffix));
    if (const int error = write_whole_file(temporaries.back(), file.text)) {
      remove_all_of(temporaries);
      throw Error((fs::path(dir) / file.name).string() + ": cannot write (" + std::strerror(error) +
                  "); expected room for the run's files (disk space, ulimit -f)" + unchanged);
    }
  }
  // Renames within one directory fail only on a broken file system; the files
  // renamed before one that fails are already the new ones.
  for (size_t i = 0; i < files.size(); ++i) {
    const fs::path target = fs::path(dir) / files[i].name;
    fs::rename(temporaries[i], target, ec);
    if (ec) {
      remove_all_of({temporaries.begin() + static_cast<std::ptrdiff_t>(i), temporaries.end()});
      throw Error(target.string() + ": cannot replace (" + ec.message() + ")");
    }
  }
  for (const std::string& name : stale) {
    const fs::path path = fs::path(dir) / name;
    if (fs::remove(path, ec); ec)
      throw Error(path.string() + ": an earlier run's file, cannot remove it (" + ec.message() +
                  "); it no longer matches the files written beside it");
  }
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const fs::path target(path);
  write_files_atomically(target.has_parent_path() ? target.parent_path().string() : ".",
                         {{target.filename().string(), text}});
}

OutputDir::OutputDir(std::string dir) : dir_(std::move(dir)) {
  const auto refuse = [&](const std::string& why) {
    remove_all_of({created_.rbegin(), created_.rend()});
    invalid(
        &RunSettings::out_dir, "output directory " + dir_,
        "a directory lvsim can create and write report.json and curve.csv in (--out DIR); " + why);
  };
  std::error_code ec;
  fs::path path = fs::path(dir_).lexically_normal();
  if (!path.has_filename() && path.has_parent_path()) path = path.parent_path();  // "out/"
  // The directories missing on the way, to remove again if the run fails.
  for (fs::path missing = path; !missing.empty() && missing != missing.root_path();
       missing = missing.parent_path()) {
    const bool exists = fs::exists(missing, ec);
    if (ec) refuse(missing.string() + ": " + ec.message());
    if (exists) break;
    created_.insert(created_.begin(), missing);
  }
  if (created_.empty() && !fs::is_directory(path, ec))
    refuse(dir_ + " is not a directory" + (ec ? " (" + ec.message() + ")" : std::string()));
  fs::create_directories(path, ec);
  if (ec) refuse("cannot create it (" + ec.message() + ")");
  const fs::path probe = path / (".lvsim-probe." + std::to_string(getpid()));
  const int error = write_whole_file(probe, "x");
  fs::remove(probe, ec);
  if (error != 0) refuse("cannot write a file in it (" + std::string(std::strerror(error)) + ")");
}

OutputDir::~OutputDir() {
  if (committed_) return;
  // Only empty directories go: fs::remove refuses any other.
  std::error_code ignored;
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) fs::remove(*it, ignored);
}

void OutputDir::commit(const std::vector<OutputFile>& files,
                       const std::vector<std::string>& stale) {
  write_files_atomically(dir_, files, stale);
  committed_ = true;
}

}  // namespace lvsim
