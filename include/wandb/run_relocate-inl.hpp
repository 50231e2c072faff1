// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of run_relocate.hpp: the log's lock (detail::LogLock), the rewrite of the
/// records' absolute paths (detail/proto_rewrite.hpp, detail/moved_paths.hpp) and the new log
/// written with detail/log_writer.hpp beside the old one.

#include "run_relocate.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include "detail/log_writer.hpp"
#include "detail/moved_paths.hpp"
#include "detail/proto_rewrite.hpp"

WANDB_NAMESPACE_BEGIN

namespace detail {

/// The log's lock, taken as a writer would take it, for as long as relocation runs.
class LogLock {
public:
    /// \throws ValidationError  if a writer holds the log; IoError if it cannot be opened.
    explicit LogLock(const std::filesystem::path& log) {
        fd_ = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw IoError("wandb::relocate_run: cannot open " + log.string() + ": " + std::strerror(errno));
        int r;
        do {
            r = ::flock(fd_, LOCK_EX | LOCK_NB);
        } while (r != 0 && errno == EINTR);
        if (r != 0 && errno == EWOULDBLOCK) {
            ::close(fd_);
            throw ValidationError("wandb::relocate_run: " + log.string() +
                                  " is still being written (its writer holds the log's lock); relocate the run "
                                  "after it has finished");
        }
    }
    LogLock(const LogLock&) = delete;
    LogLock& operator=(const LogLock&) = delete;
    ~LogLock() { ::close(fd_); }

private:
    int fd_ = -1;
};

/// fsyncs a directory, so that a rename in it survives a power loss.
WANDB_IMAGEMASK_INLINE void sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0) ::close(fd);
        throw IoError("wandb::relocate_run: cannot fsync the directory " + dir.string() + ": " + std::strerror(error));
    }
    ::close(fd);
}

/// An IoError from a helper (`wandb::LogWriter: cannot write ...`), restated as relocate_run's.
WANDB_IMAGEMASK_INLINE IoError relocate_io_error(const IoError& e) {
    std::string what = e.what();
    if (what.rfind("wandb::", 0) == 0) {
        const std::size_t colon = what.find(": ");
        if (colon != std::string::npos) what = what.substr(colon + 2);
    }
    return IoError("wandb::relocate_run: " + what);
}

}  // namespace detail

WANDB_IMAGEMASK_INLINE RelocateResult relocate_run(const std::filesystem::path& run) {
    constexpr const char* who = "wandb::relocate_run: ";
    RelocateResult result;
    result.log = find_run_log(run);
    std::error_code ec;
    result.dir = std::filesystem::canonical(result.log.parent_path().empty() ? "." : result.log.parent_path(), ec);
    if (ec) throw IoError(who + std::string("cannot resolve ") + result.log.parent_path().string() + ": " + ec.message());
    const detail::LogLock lock(result.log);
    const std::filesystem::path marker = synced_marker(result.log);
    if (std::filesystem::exists(marker, ec))
        throw ValidationError(who + result.dir.string() + ": the run is already synced (" + marker.filename().string() +
                              " exists); remove that marker to relocate and sync it again");

    RunLogReader reader(result.log.string());
    LogReadResult all = reader.read_all();
    if (all.problem && all.problem->kind == LogProblem::Kind::corrupt)
        throw ValidationError(who + result.log.string() + ": the log is corrupt (" + all.problem->message +
                              "); nothing was changed");

    std::vector<detail::Bytes> records;
    records.reserve(all.records.size());
    for (LogRecord& record : all.records) {
        std::string bytes(record.data.begin(), record.data.end());
        bool changed = false;
        std::string failure;
        auto replace = [&](std::string_view old) -> std::optional<std::string> {
            if (old.empty() || old.front() != '/') return std::nullopt;
            const detail::PathStatus status = detail::path_status(std::string(old), result.dir);
            if (status.kind == detail::PathStatus::Kind::lost && failure.empty())
                failure = std::string(old);
            if (status.kind != detail::PathStatus::Kind::moved) return std::nullopt;
            const std::string now = status.now.string();
            // The old prefix: the old path without the tail it shares with the new one.
            const std::string tail = now.substr(result.dir.string().size());
            std::string prefix(old.substr(0, old.size() >= tail.size() ? old.size() - tail.size() : 0));
            bool known = false;
            for (const auto& d : result.old_dirs) known = known || d == prefix;
            if (!known) result.old_dirs.push_back(prefix);
            ++result.paths_rewritten;
            changed = true;
            return now;
        };
        try {
            for (const auto& fields : detail::absolute_path_fields())
                if (auto rewritten = detail::rewrite_string_fields(bytes, fields, 0, replace)) bytes = std::move(*rewritten);
        } catch (const detail::ProtoError& e) {
            throw ValidationError(who + result.log.string() + ": the record at offset " + std::to_string(record.offset) +
                                  " does not decode (" + e.what() + "); nothing was changed");
        }
        if (!failure.empty()) {
            const Json decoded = decode_record(record.data);
            const std::string name = decoded.contains("artifact") ? decoded["artifact"].value("name", "") : "";
            throw ValidationError(who + result.dir.string() + ": cannot relocate " + failure + " (" +
                                  (name.empty() ? std::string() : "artifact " + name + ", ") + "the record at offset " +
                                  std::to_string(record.offset) +
                                  "): no file below the run directory matches it; nothing was changed");
        }
        if (changed) {
            ++result.records_rewritten;
            records.emplace_back(bytes.begin(), bytes.end());
        } else {
            records.push_back(std::move(record.data));
        }
    }
    if (result.paths_rewritten == 0) return result;
    if (all.problem) {
        std::error_code size_ec;
        result.dropped_tail_bytes = std::filesystem::file_size(result.log, size_ec) - all.problem->offset;
    }

    const std::filesystem::path temporary = result.log.string() + ".relocating";
    ::unlink(temporary.c_str());  // left by a relocation that was killed; we hold the log's lock
    try {
        {
            detail::LogWriter writer(temporary.string());
            std::vector<detail::Bytes> batch;
            std::size_t batch_bytes = 0;
            for (detail::Bytes& record : records) {
                batch_bytes += record.size();
                batch.push_back(record);
                if (batch_bytes >= (1u << 20)) {
                    writer.append_all(batch);
                    batch.clear();
                    batch_bytes = 0;
                }
            }
            if (!batch.empty()) writer.append_all(batch);
            writer.flush_to_disk();
            writer.close();
        }
        RunLogReader check(temporary.string());
        const LogReadResult back = check.read_all();
        bool same = !back.problem && back.records.size() == records.size();
        for (std::size_t i = 0; same && i < records.size(); ++i) same = back.records[i].data == records[i];
        if (!same)
            throw IoError(who + std::string("the rewritten log ") + temporary.string() +
                          " does not read back as written; nothing was changed");
        if (::rename(temporary.c_str(), result.log.c_str()) != 0)
            throw IoError(who + std::string("cannot rename ") + temporary.string() + " to " + result.log.string() + ": " +
                          std::strerror(errno));
    } catch (const IoError& e) {
        ::unlink(temporary.c_str());
        const std::string what = e.what();
        if (what.rfind(who, 0) == 0) throw;
        throw detail::relocate_io_error(e);
    } catch (const FormatError& e) {
        ::unlink(temporary.c_str());
        throw IoError(who + std::string("the rewritten log does not read back: ") + e.what());
    }
    detail::sync_directory(result.dir);
    return result;
}

WANDB_NAMESPACE_END
