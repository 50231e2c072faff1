// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Opening a file the user names as input (an image, a mask, a `.wandb` log) so that nothing but a
/// regular file is ever read: a FIFO would block until a writer comes, a device or socket never
/// ends. The file is opened non-blocking and its type is taken from the open descriptor (fstat),
/// so what was checked is what is read.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// What a file that is not a regular file is, for messages: "a directory", "a FIFO", ...
inline const char* file_kind(mode_t mode) noexcept {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return "not a regular file";
}

/// An input file opened for reading, or why it could not be: `fd` is -1 and `problem` says what
/// is wrong ("No such file or directory", "it is a FIFO (named pipe), not a regular file").
class InputFile {
public:
    /// Opens `path` with O_RDONLY | O_NONBLOCK | O_CLOEXEC (a FIFO then opens at once instead of
    /// waiting for a writer) and refuses anything fstat does not call a regular file. Following
    /// a symbolic link is allowed; its target is what is checked.
    explicit InputFile(const std::string& path) {
        do {
            fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        } while (fd_ < 0 && errno == EINTR);
        if (fd_ < 0) {
            problem_ = std::strerror(errno);
            return;
        }
        struct stat st {};
        if (::fstat(fd_, &st) != 0) {
            problem_ = std::strerror(errno);
            close();
            return;
        }
        if (!S_ISREG(st.st_mode)) {
            problem_ = std::string("it is ") + file_kind(st.st_mode) + ", not a regular file";
            not_regular_ = true;
            close();
            return;
        }
        size_ = static_cast<std::uint64_t>(st.st_size);
        // Back to blocking reads: a regular file never blocks, and no caller expects EAGAIN.
        const int flags = ::fcntl(fd_, F_GETFL);
        if (flags >= 0) (void)::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
    }
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    ~InputFile() { close(); }

    /// The descriptor, or -1 if the file was refused.
    int fd() const noexcept { return fd_; }
    /// True when the file is open and regular.
    explicit operator bool() const noexcept { return fd_ >= 0; }
    /// Why the file was refused ("" when it is open).
    const std::string& problem() const noexcept { return problem_; }
    /// True when the path exists but is not a regular file (problem() then names its kind).
    bool not_regular() const noexcept { return not_regular_; }
    /// The file's size from fstat.
    std::uint64_t size() const noexcept { return size_; }
    /// Hands the descriptor over to the caller, who then closes it.
    int release() noexcept { return std::exchange(fd_, -1); }

    /// Reads up to `n` bytes at the current offset until `n` are read or the file ends; retries
    /// EINTR. Returns the bytes read, or -1 with errno set.
    long long read_fully(void* out, std::size_t n) const noexcept {
        auto* p = static_cast<char*>(out);
        std::size_t done = 0;
        while (done < n) {
            const ssize_t r = ::read(fd_, p + done, n - done);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) return -1;
            if (r == 0) break;
            done += static_cast<std::size_t>(r);
        }
        return static_cast<long long>(done);
    }

private:
    void close() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::string problem_;
    bool not_regular_ = false;
};

}  // namespace detail
WANDB_NAMESPACE_END
