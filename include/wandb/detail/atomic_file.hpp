// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Writing a file so that it appears whole or not at all: the bytes go to a temporary name in the
/// same directory, which is then renamed over the final name. A failure removes the temporary
/// file and throws IoError naming the path and the system's reason.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

#include "../error.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// A name for a temporary sibling of `path`, unique across threads and processes, and no longer
/// than 255 bytes (NAME_MAX) when the final name is not: a long final name is cut to make room
/// for the suffix, so any name that fits can be written.
inline std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
    static std::atomic<std::uint64_t> counter{0};
    static const std::uint64_t salt = [] {
        std::random_device device;
        return (std::uint64_t(device()) << 32) ^ device();
    }();
    const std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
    char suffix[64];
    std::snprintf(suffix, sizeof suffix, ".tmp-%ld-%llx-%llu", static_cast<long>(::getpid()),
                  static_cast<unsigned long long>(salt & 0xFFFFFFFFFFull), static_cast<unsigned long long>(n));
    std::string name = path.filename().string();
    const std::size_t room = 255 - std::strlen(suffix);
    if (name.size() > room) name.resize(room);
    return path.parent_path() / (name + suffix);
}

/// Creates `dir` and its parents.
/// \throws IoError naming `who`, the directory and the reason.
inline void create_directories(const std::filesystem::path& dir, const char* who) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IoError(std::string(who) + ": cannot create directory " + dir.string() + ": " + ec.message());
}

/// Writes `size` bytes to `path` atomically (temporary sibling, then rename), creating the parent
/// directories. With `sync`, the data are fsynced before the rename.
/// \throws IoError naming `who`, the path and the system's reason; no temporary file is left.
inline void write_file_atomically(const std::filesystem::path& path, const void* data, std::size_t size,
                                  const char* who, bool sync = false) {
    if (path.has_parent_path()) create_directories(path.parent_path(), who);
    const std::filesystem::path tmp = temporary_sibling(path);
    auto fail = [&](const char* action, int error, const std::filesystem::path& named) {
        ::unlink(tmp.c_str());
        throw IoError(std::string(who) + ": cannot " + action + " " + named.string() + ": " + std::strerror(error));
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int error = errno;
        throw IoError(std::string(who) + ": cannot write " + path.string() + ": " + std::strerror(error));
    }
    const auto* p = static_cast<const char*>(data);
    std::size_t left = size;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            fail("write", error, path);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (sync && ::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        fail("sync", error, path);
    }
    if (::close(fd) != 0) fail("write", errno, path);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename a temporary file to", errno, path);
}

}  // namespace detail
WANDB_NAMESPACE_END
