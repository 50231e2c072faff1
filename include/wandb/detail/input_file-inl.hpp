// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of input_file.hpp: opening an input file and reading it.

#include "input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

WANDB_NAMESPACE_BEGIN
namespace detail {

WANDB_IMAGEMASK_INLINE const char* file_kind(mode_t mode) noexcept {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return "not a regular file";
}

WANDB_IMAGEMASK_INLINE InputFile::InputFile(const std::string& path) {
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

WANDB_IMAGEMASK_INLINE long long InputFile::read_fully(void* out, std::size_t n) const noexcept {
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

WANDB_IMAGEMASK_INLINE void InputFile::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

}  // namespace detail
WANDB_NAMESPACE_END
