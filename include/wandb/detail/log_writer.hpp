// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Writes a `.wandb` transaction log: the 7-byte W&B file header (`:W&B`, uint16 LE 0xBEE1,
/// uint8 version 0), then a LevelDB log (github.com/google/leveldb doc/log_format.md) whose first
/// 32768-byte block starts after the header. Each record becomes one or more chunks (uint32 LE
/// checksum, uint16 LE length, uint8 type FULL 1 / FIRST 2 / MIDDLE 3 / LAST 4, data); a chunk
/// never crosses a block boundary and a block tail of fewer than 7 bytes is zero-filled.
///
/// The checksum is the plain IEEE CRC-32 (zlib's crc32) of the type byte followed by the data,
/// stored unmasked: `crc32(data, crc32(type))` in wandb/sdk/internal/datastore.py, and
/// `CRCStandard` = `crc32.Checksum(b, IEEETable)` over `buf[type:end]` for `CRCAlgoIEEE` in
/// core/pkg/leveldb (crc.go, record.go). LevelDB's own masked CRC-32C is not used.
///
/// Layout choices follow both W&B writers: a record that does not fit splits into FIRST, MIDDLE...,
/// LAST chunks that each fill their block; with exactly 7 bytes left a zero-length FIRST chunk is
/// written there. The version byte is 0, what every released SDK writes and expects
/// (core/internal/transactionlog wandbStoreVersion).

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "../error.hpp"
#include "../version.hpp"
#include "crc32.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Constants of the `.wandb` container format.
namespace wandb_log {
inline constexpr std::size_t block_size = 32768;        ///< LevelDB block size
inline constexpr std::size_t chunk_header_size = 7;     ///< crc(4) + length(2) + type(1)
inline constexpr std::size_t file_header_size = 7;      ///< ":W&B" + magic(2) + version(1)
inline constexpr std::uint16_t magic = 0xBEE1;          ///< W&B header magic, little-endian
inline constexpr std::uint8_t version = 0;              ///< W&B header version byte
inline constexpr std::uint8_t full = 1, first = 2, middle = 3, last = 4;  ///< chunk types
}  // namespace wandb_log

/// Appends records to a new `.wandb` file. Each append issues all of the record's chunks (and any
/// block padding before them) in one write(2), so a record reaches the OS before append returns
/// and a killed process leaves only whole records plus at most one partial record at the end.
/// While open, the writer holds an advisory `flock(LOCK_EX)` on the file (released when it is
/// closed or the process dies), so tools can tell a run still being written from one that ended:
/// see wandb::log_is_being_written. Not thread-safe: the caller (the run) serialises appends with
/// its own lock.
class LogWriter {
public:
    /// Creates `path` (which must not exist yet, mode 0666 minus umask) and writes the file header.
    /// If the header cannot be written the new file is removed again. Every method's `who` is the
    /// prefix of its error messages: the API the user called (e.g. "wandb::OfflineRun::log").
    /// \throws wandb::IoError  if the file exists or cannot be created or written.
    explicit LogWriter(std::string path, const char* who = "wandb::LogWriter") : path_(std::move(path)) {
        do {
            fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        } while (fd_ < 0 && errno == EINTR);
        if (fd_ < 0) fail(who, "cannot open");
        // Advisory only: a file system without flock (some network mounts) still gets its log.
        (void)::flock(fd_, LOCK_EX | LOCK_NB);
        // The open file's identity never changes: taken once here, check_writable compares the
        // path's with it (one stat(2) per check instead of a stat and an fstat).
        struct stat by_fd {};
        if (::fstat(fd_, &by_fd) != 0) {
            const int saved = errno;
            ::close(fd_);
            fd_ = -1;
            ::unlink(path_.c_str());
            errno = saved;
            fail(who, "cannot open");
        }
        dev_ = by_fd.st_dev;
        ino_ = by_fd.st_ino;
        const std::uint8_t header[wandb_log::file_header_size] = {
            ':', 'W', '&', 'B', wandb_log::magic & 0xFF, wandb_log::magic >> 8, wandb_log::version};
        if (!write_all(header, sizeof header)) {
            const int saved = errno;
            ::close(fd_);
            fd_ = -1;
            ::unlink(path_.c_str());  // created exclusively above: ours to remove
            errno = saved;
            fail(who, "cannot write");
        }
        size_ = sizeof header;
    }

    LogWriter(const LogWriter&) = delete;
    LogWriter& operator=(const LogWriter&) = delete;
    /// Closes the file without syncing; errors are ignored (call close() to see them).
    ~LogWriter() {
        if (fd_ >= 0) ::close(fd_);
    }

    /// Appends one record (the bytes of an encoded `Record`) and returns the file offset of its
    /// first chunk. On a failed write the partial record is truncated away so the log stays valid;
    /// if even that fails, the writer refuses further appends.
    /// \throws wandb::IoError  on a write failure (disk full, ...), after close(), when broken, or
    ///         when the log's path no longer names the open file (see check_writable).
    std::uint64_t append(const void* data, std::size_t size, const char* who = "wandb::LogWriter") {
        check_writable(who);
        buffer_.clear();
        std::uint64_t first_chunk = 0;
        frame(static_cast<const std::uint8_t*>(data), size, size_, buffer_, first_chunk);
        write_buffer(1, who);
        return first_chunk;
    }
    /// Appends one encoded record; see append(const void*, std::size_t).
    std::uint64_t append(const std::vector<std::uint8_t>& record, const char* who = "wandb::LogWriter") {
        return append(record.data(), record.size(), who);
    }

    /// Appends several records, one after the other, framed as append frames each, in a single
    /// write(2): a failed write is rolled back whole, so either all of them are in the log or
    /// none. Returns the file offset of the first record's first chunk.
    /// \throws wandb::IoError  as append.
    std::uint64_t append_all(const std::vector<std::vector<std::uint8_t>>& records,
                             const char* who = "wandb::LogWriter") {
        check_writable(who);
        buffer_.clear();
        std::uint64_t first = size_;
        for (std::size_t i = 0; i < records.size(); ++i) {
            std::uint64_t chunk = 0;
            frame(records[i].data(), records[i].size(), size_ + buffer_.size(), buffer_, chunk);
            if (i == 0) first = chunk;
        }
        write_buffer(records.size(), who);
        return first;
    }

    /// Checks that appends can go on: the log is open, no earlier failure is pending, and its path
    /// still names the open file (a stat(2) of the path, compared with the device and inode the
    /// file had when it was opened). A log whose directory was removed or moved away would
    /// otherwise take every later record into a file nobody can find.
    /// \throws wandb::IoError  naming the path and the reason, e.g. "No such file or directory".
    void check_writable(const char* who = "wandb::LogWriter") const {
        if (fd_ < 0) throw IoError(std::string(who) + ": cannot write " + path_ + ": the log is closed");
        if (broken_)
            throw IoError(std::string(who) + ": cannot write " + path_ +
                          ": an earlier failed write could not be rolled back");
        struct stat by_path {};
        if (::stat(path_.c_str(), &by_path) != 0) fail(who, "cannot write");
        if (by_path.st_dev != dev_ || by_path.st_ino != ino_)
            throw IoError(std::string(who) + ": cannot write " + path_ + ": another file has replaced the log");
    }

    /// fsync(2)s the file so that every appended record survives a power loss.
    /// \throws wandb::IoError  if fsync fails or the log is closed.
    void flush_to_disk(const char* who = "wandb::LogWriter") {
        if (fd_ < 0) throw IoError(std::string(who) + ": cannot fsync " + path_ + ": the log is closed");
        if (::fsync(fd_) != 0) fail(who, "cannot fsync");
    }

    /// Closes the file; later appends throw. Does nothing if already closed.
    /// \throws wandb::IoError  if close(2) reports an error (e.g. a delayed write failure).
    void close(const char* who = "wandb::LogWriter") {
        if (fd_ < 0) return;
        const int fd = std::exchange(fd_, -1);
        if (::close(fd) != 0 && errno != EINTR) fail(who, "cannot close");
    }

    /// The log's path.
    const std::string& path() const noexcept { return path_; }
    /// Bytes written so far (the file header included): the offset where the next append starts.
    std::uint64_t size() const noexcept { return size_; }
    /// Records appended so far; Record.num of the next record is records_written() + 1.
    std::uint64_t records_written() const noexcept { return records_; }

private:

    /// Writes buffer_ (holding `records` framed records) at the end of the log; on failure
    /// truncates the file back to where it was so the log stays valid, and throws.
    void write_buffer(std::size_t records, const char* who) {
        const std::uint64_t start = size_;
        if (!write_all(buffer_.data(), buffer_.size())) {
            const int saved = errno;
            if (::ftruncate(fd_, static_cast<off_t>(start)) != 0 ||
                ::lseek(fd_, static_cast<off_t>(start), SEEK_SET) != static_cast<off_t>(start))
                broken_ = true;
            errno = saved;
            fail(who, "cannot write");
        }
        size_ = start + buffer_.size();
        records_ += records;
        if (buffer_.capacity() > 4 * wandb_log::block_size) buffer_ = std::vector<std::uint8_t>();  // don't hoard
    }

    /// Appends to `out` the bytes one append of a `size`-byte record writes at file offset `at`:
    /// zero padding if fewer than 7 bytes are left in the block, then the chunks. Sets
    /// `first_chunk` to the offset of the first chunk header.
    static void frame(const std::uint8_t* data, std::size_t size, std::uint64_t at, std::vector<std::uint8_t>& out,
                      std::uint64_t& first_chunk) {
        using namespace wandb_log;
        const std::size_t start = out.size();
        std::size_t in_block = static_cast<std::size_t>(at % block_size);
        if (block_size - in_block < chunk_header_size) {
            out.insert(out.end(), block_size - in_block, 0);
            in_block = 0;
        }
        first_chunk = at + (out.size() - start);
        std::size_t done = 0;
        bool first_piece = true;
        for (;;) {
            const std::size_t room = block_size - in_block - chunk_header_size;
            const std::size_t take = std::min(room, size - done);
            const bool ends = done + take == size;
            const std::uint8_t type = first_piece ? (ends ? full : first) : (ends ? last : middle);
            std::uint32_t crc = crc32(0, &type, 1);
            crc = crc32(crc, data + done, take);
            const std::uint8_t header[chunk_header_size] = {
                static_cast<std::uint8_t>(crc), static_cast<std::uint8_t>(crc >> 8),
                static_cast<std::uint8_t>(crc >> 16), static_cast<std::uint8_t>(crc >> 24),
                static_cast<std::uint8_t>(take), static_cast<std::uint8_t>(take >> 8), type};
            out.insert(out.end(), header, header + chunk_header_size);
            out.insert(out.end(), data + done, data + done + take);
            done += take;
            if (ends) break;
            first_piece = false;
            in_block = 0;  // a FIRST or MIDDLE chunk fills its block
        }
    }

    [[noreturn]] void fail(const char* who, const char* action) const {
        throw IoError(std::string(who) + ": " + action + " " + path_ + ": " + std::strerror(errno));
    }

    /// write(2) until everything is written; retries EINTR and short writes. False with errno set.
    bool write_all(const std::uint8_t* p, std::size_t n) const {
        while (n > 0) {
            const ssize_t w = ::write(fd_, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                return false;
            }
            if (w == 0) {
                errno = EIO;
                return false;
            }
            p += w;
            n -= static_cast<std::size_t>(w);
        }
        return true;
    }

    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::uint64_t records_ = 0;
    dev_t dev_ = 0;  ///< the open file's device and inode (fstat at open)
    ino_t ino_ = 0;
    bool broken_ = false;
    std::vector<std::uint8_t> buffer_;
};

}  // namespace detail
WANDB_NAMESPACE_END
