// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// An offline run directory on disk, as the tools that check, repair and sync it see it: its
/// transaction log, whether a writer still has it open, and whether `wandb sync` marked it synced.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "error.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// The transaction log of a run: `path` itself if it is a `.wandb` file, else the one `*.wandb`
/// file directly in the directory `path` (the SDK and this library write `run-<id>.wandb`).
/// \throws wandb::ValidationError  if `path` is neither, e.g.
///   "wandb::find_run_log: /data/x holds no .wandb log: not a run directory", or if the
///   directory holds several logs (name the one you mean).
/// \throws wandb::IoError  if the directory cannot be listed.
inline std::filesystem::path find_run_log(const std::filesystem::path& path) {
    constexpr const char* who = "wandb::find_run_log: ";
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (std::filesystem::is_regular_file(status) && path.extension() == ".wandb") return path;
    if (!std::filesystem::is_directory(status)) {
        if (!std::filesystem::exists(status))
            throw ValidationError(who + path.string() + " does not exist");
        throw ValidationError(who + path.string() + " is neither a run directory nor a .wandb log");
    }
    std::vector<std::filesystem::path> logs;
    std::filesystem::directory_iterator it(path, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        if (it->path().extension() == ".wandb" && it->is_regular_file(ec)) logs.push_back(it->path());
    if (ec) throw IoError(std::string(who) + "cannot list " + path.string() + ": " + ec.message());
    if (logs.empty()) throw ValidationError(who + path.string() + " holds no .wandb log: not a run directory");
    if (logs.size() > 1) {
        std::string names;
        for (const auto& l : logs) names += (names.empty() ? "" : ", ") + l.filename().string();
        throw ValidationError(who + path.string() + " holds " + std::to_string(logs.size()) + " .wandb logs (" +
                              names + "); name the log to use");
    }
    return logs.front();
}

/// The marker `wandb sync` creates beside a log it uploaded, `<log>.synced`, e.g.
/// `run-ab12cd34.wandb.synced` (`core/internal/runsync/runsyncer.go` markSynced; the CLI skips logs
/// that have one: `wandb/cli/beta_sync.py` _is_synced).
inline std::filesystem::path synced_marker(const std::filesystem::path& log) {
    return log.string() + ".synced";
}

/// Whether a live writer holds the log's advisory lock: the library's writer takes
/// `flock(LOCK_EX)` on the log while the run is open, and the lock ends with the writing process.
/// W&B's own SDK takes no such lock, so its runs never show as being written. False when the log
/// cannot be opened or the file system has no locks.
inline bool log_is_being_written(const std::filesystem::path& log) {
    const int fd = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    int r;
    do {
        r = ::flock(fd, LOCK_SH | LOCK_NB);
    } while (r != 0 && errno == EINTR);
    const bool locked = r != 0 && errno == EWOULDBLOCK;
    ::close(fd);  // releases the shared lock, if taken
    return locked;
}

WANDB_NAMESPACE_END
