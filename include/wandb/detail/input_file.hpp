// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Opening a file the user names as input (an image, a mask, a `.wandb` log) so that nothing but a
/// regular file is ever read: a FIFO would block until a writer comes, a device or socket never
/// ends. The file is opened non-blocking and its type is taken from the open descriptor (fstat),
/// so what was checked is what is read.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// What a file that is not a regular file is, for messages: "a directory", "a FIFO", ...
const char* file_kind(mode_t mode) noexcept;

/// An input file opened for reading, or why it could not be: `fd` is -1 and `problem` says what
/// is wrong ("No such file or directory", "it is a FIFO (named pipe), not a regular file").
class InputFile {
public:
    /// Opens `path` with O_RDONLY | O_NONBLOCK | O_CLOEXEC (a FIFO then opens at once instead of
    /// waiting for a writer) and refuses anything fstat does not call a regular file. Following
    /// a symbolic link is allowed; its target is what is checked.
    explicit InputFile(const std::string& path);
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
    long long read_fully(void* out, std::size_t n) const noexcept;

private:
    void close() noexcept;

    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::string problem_;
    bool not_regular_ = false;
};

}  // namespace detail
WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "input_file-inl.hpp"
#endif
