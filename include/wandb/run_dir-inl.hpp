// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of run_dir.hpp: listing a run directory, the synced marker, the log's lock.

#include "run_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE std::filesystem::path find_run_log(const std::filesystem::path& path) {
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

WANDB_IMAGEMASK_INLINE std::filesystem::path synced_marker(const std::filesystem::path& log) {
    return log.string() + ".synced";
}

WANDB_IMAGEMASK_INLINE bool log_is_being_written(const std::filesystem::path& log) {
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
