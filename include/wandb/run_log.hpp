// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Reads and validates `.wandb` transaction logs, the file `wandb sync` uploads an offline run from,
/// record by record (`wandb::decode_record` in record_json.hpp turns a record into JSON). Written
/// from the format description, independently of the library's writer (they share only the CRC-32
/// routine):
///
/// - bytes 0..6: `:W&B`, uint16 LE 0xBEE1, uint8 version 0;
/// - then a LevelDB log of 32768-byte blocks, block 0 starting at file offset 0 (so its first chunk
///   is at offset 7); a chunk is uint32 LE CRC, uint16 LE length, uint8 type (FULL 1, FIRST 2,
///   MIDDLE 3, LAST 4) and `length` data bytes; the CRC is the IEEE CRC-32 (as zlib computes it) of
///   the type byte followed by the data; chunks never cross a block end; a block tail of fewer than
///   7 bytes is zero padding; a record is one FULL chunk or FIRST, MIDDLE..., LAST, where FIRST and
///   MIDDLE chunks run to the end of their block;
/// - each record's bytes are a protobuf `wandb_internal.Record`.

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "detail/crc32.hpp"
#include "detail/input_file.hpp"
#include "detail/protobuf.hpp"
#include "error.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// One record of a `.wandb` log: its raw bytes (a protobuf `Record`, chunks joined) and the file
/// offset of its first chunk header.
struct LogRecord {
    std::uint64_t offset = 0;        ///< file offset of the record's first chunk
    std::vector<std::uint8_t> data;  ///< the record's bytes
};

/// The first thing wrong with a log, as RunLogReader found it.
struct LogProblem {
    /// `truncated_tail`: the file ends inside a record or block trailer (or continues with zero
    /// bytes only), as after a crash mid-write; everything before `offset` is intact.
    /// `corrupt`: bad CRC, impossible chunk length, type or order, non-zero padding.
    enum class Kind { truncated_tail, corrupt };
    Kind kind = Kind::corrupt;  ///< what went wrong
    std::uint64_t offset = 0;   ///< file offset of the bad chunk, or where the truncated tail starts
    std::string message;        ///< e.g. "CRC mismatch in chunk at offset 32775"
};

/// What RunLogReader::read_all found: every good record up to the first problem, and the problem.
struct LogReadResult {
    std::vector<LogRecord> records;     ///< records before the first problem, in file order
    std::optional<LogProblem> problem;  ///< empty when the whole file is a valid log
};

/// How RunLogReader::follow waits for records that the writer has not appended yet.
struct FollowOptions {
    /// How long to sleep before looking again when the log holds no new complete record.
    std::chrono::milliseconds poll_interval{100};
    /// End the follow after this long without a new record; 0 waits for ever.
    std::chrono::milliseconds idle_timeout{0};
    /// Asked before every wait; returning true ends the follow (e.g. a flag a signal handler sets).
    std::function<bool()> stop_requested;
};

/// Reads a `.wandb` log record by record, validating the header, every chunk's CRC, chunk types
/// and their order, and the block layout (padding included). Stops at the first problem.
/// `follow` reads a log that is still being written, as `wandb beta sync --live` does.
/// Reads 32 KiB at a time with pread(2); not thread-safe.
class RunLogReader {
public:
    /// Opens `path` and validates its 7-byte W&B header.
    /// \throws wandb::IoError  if the file cannot be opened or read.
    /// \throws wandb::ValidationError  if the path is not a regular file (a FIFO, socket, device or
    ///   directory: refused at once, never read).
    /// \throws wandb::FormatError  if the header is missing or wrong, e.g.
    ///   "wandb::RunLogReader: /x/run-abc.wandb: bad magic 0x1234 at offset 4 (expected 0xBEE1)".
    explicit RunLogReader(std::string path) : path_(std::move(path)) {
        detail::InputFile file(path_);  // a FIFO, device or directory is refused, never waited on
        if (file.not_regular())
            throw ValidationError("wandb::RunLogReader: cannot read " + path_ + ": " + file.problem());
        if (!file) throw IoError("wandb::RunLogReader: cannot open " + path_ + ": " + file.problem());
        fd_ = file.release();
        buf_.resize(block_size);
        load(0);
        const std::uint8_t* b = buf_.data();
        std::string bad;
        if (n_ < 7)
            bad = "file is " + std::to_string(n_) + " bytes long, shorter than the 7-byte W&B header";
        else if (std::memcmp(b, ":W&B", 4) != 0)
            bad = "bad identifier at offset 0 (expected \":W&B\")";
        else if (const unsigned magic = b[4] | b[5] << 8; magic != 0xBEE1)
            bad = "bad magic 0x" + hex16(magic) + " at offset 4 (expected 0xBEE1)";
        else if (b[6] != 0)
            bad = "unsupported version " + std::to_string(b[6]) + " at offset 6 (expected 0)";
        if (!bad.empty()) {
            ::close(fd_);
            fd_ = -1;
            throw FormatError("wandb::RunLogReader: " + path_ + ": " + bad);
        }
        pos_ = 7;
    }

    RunLogReader(const RunLogReader&) = delete;
    RunLogReader& operator=(const RunLogReader&) = delete;
    /// Closes the file.
    ~RunLogReader() {
        if (fd_ >= 0) ::close(fd_);
    }

    /// The next record, or nothing at the clean end of the log.
    /// \throws wandb::FormatError  at the first problem (and again on every later call), with the
    ///   message "wandb::RunLogReader: <path>: " + LogProblem::message.
    /// \throws wandb::IoError  if reading fails.
    std::optional<LogRecord> next() {
        LogRecord r;
        if (!problem_ && step(r)) return r;
        if (problem_) throw FormatError("wandb::RunLogReader: " + path_ + ": " + problem_->message);
        return std::nullopt;
    }

    /// Reads the remaining records up to the end or the first problem, which is returned rather
    /// than thrown.
    /// \throws wandb::IoError  if reading fails.
    LogReadResult read_all() {
        LogReadResult result;
        LogRecord r;
        while (!problem_ && step(r)) result.records.push_back(std::move(r));
        result.problem = problem_;
        return result;
    }

    /// The next record of a log that may still be written: waits (polling every
    /// `options.poll_interval`) until the writer has appended one. While following, the end of the
    /// file and a truncated tail both mean "not written yet", never corruption. Returns nothing
    /// when the log has ended: once the Exit record has been returned, at the first end of file
    /// after it (as W&B's live sync, which stops waiting at the Exit record; a Final record
    /// appended later is missed then); when `options.stop_requested()` returns true; or after
    /// `options.idle_timeout` without a new record. exit_seen() tells the first case from the others.
    /// \throws wandb::FormatError  on corruption (as next()), or if the file shrinks below the
    ///   records already returned (a rolled-back write that this reader had seen).
    /// \throws wandb::IoError  if reading fails.
    std::optional<LogRecord> follow(const FollowOptions& options = {}) {
        const auto started = std::chrono::steady_clock::now();
        for (;;) {
            if (problem_) throw FormatError("wandb::RunLogReader: " + path_ + ": " + problem_->message);
            const std::uint64_t block = block_;
            const std::size_t pos = pos_;
            LogRecord r;
            if (step(r)) {
                returned_end_ = at(pos_);
                if (is_exit_record(r.data)) exit_seen_ = true;
                return r;
            }
            if (problem_ && problem_->kind == LogProblem::Kind::corrupt)
                throw FormatError("wandb::RunLogReader: " + path_ + ": " + problem_->message);
            problem_.reset();  // a truncated tail: the writer is still appending that record
            check_not_shrunk();
            load(block);  // re-read the block that was being read: it may have grown
            pos_ = pos;
            if (exit_seen_) return std::nullopt;
            if (options.stop_requested && options.stop_requested()) return std::nullopt;
            const auto waited = std::chrono::steady_clock::now() - started;
            if (options.idle_timeout.count() > 0 && waited >= options.idle_timeout) return std::nullopt;
            std::this_thread::sleep_for(options.poll_interval);
        }
    }

    /// Whether follow() has returned the log's Exit record (`Record` field 18).
    bool exit_seen() const noexcept { return exit_seen_; }

    /// The log's path.
    const std::string& path() const noexcept { return path_; }

private:
    /// Whether a record's bytes hold an Exit record; false for bytes that do not parse.
    static bool is_exit_record(const std::vector<std::uint8_t>& data) {
        constexpr std::uint32_t exit_field = 18;  // Record.exit in wandb_internal.proto
        try {
            detail::ProtoReader reader(data.data(), data.size());
            detail::ProtoField f;
            while (reader.next(f))
                if (f.number == exit_field && f.type == detail::WireType::len) return true;
        } catch (const detail::ProtoError&) {
        }
        return false;
    }

    void check_not_shrunk() const {
        struct stat st {};
        if (::fstat(fd_, &st) != 0)
            throw IoError("wandb::RunLogReader: cannot stat " + path_ + ": " + std::strerror(errno));
        if (static_cast<std::uint64_t>(st.st_size) < returned_end_)
            throw FormatError("wandb::RunLogReader: " + path_ + ": the log shrank to " + std::to_string(st.st_size) +
                              " bytes while followed, below the " + std::to_string(returned_end_) +
                              " bytes already read (a failed write was rolled back)");
    }


    static constexpr std::size_t block_size = 32768;
    static constexpr std::size_t header_size = 7;  // chunk header, and also the W&B file header

    static std::string hex16(unsigned v) {
        char text[8];
        std::snprintf(text, sizeof text, "%04X", v & 0xFFFFu);
        return text;
    }

    std::uint64_t at(std::size_t pos) const noexcept { return block_ * block_size + pos; }

    /// Reads block `index` into buf_ (n_ = bytes read, short only for the last block).
    void load(std::uint64_t index) {
        block_ = index;
        n_ = read_at(buf_.data(), index * block_size);
        pos_ = 0;
    }
    std::size_t read_at(std::uint8_t* into, std::uint64_t offset) const {
        std::size_t got = 0;
        while (got < block_size) {
            const ssize_t r = ::pread(fd_, into + got, block_size - got, static_cast<off_t>(offset + got));
            if (r < 0) {
                if (errno == EINTR) continue;
                throw IoError("wandb::RunLogReader: cannot read " + path_ + ": " + std::strerror(errno));
            }
            if (r == 0) break;
            got += static_cast<std::size_t>(r);
        }
        return got;
    }

    bool report(LogProblem::Kind kind, std::uint64_t offset, std::string message) {
        problem_ = LogProblem{kind, offset, std::move(message)};
        return false;
    }
    bool truncated(std::uint64_t tail, const char* where) {
        return report(LogProblem::Kind::truncated_tail, tail,
                      "truncated tail at offset " + std::to_string(tail) + ": the file ends at offset " +
                          std::to_string(at(n_)) + " inside " + where);
    }
    bool corrupt(std::uint64_t offset, const std::string& what) {
        return report(LogProblem::Kind::corrupt, offset, what);
    }
    bool corrupt_chunk(std::uint64_t chunk, const std::string& what) {
        return corrupt(chunk, what + " in chunk at offset " + std::to_string(chunk));
    }

    /// Whether every byte from buf_[pos_] to the end of the file is zero; sets `end` to the file size.
    bool zero_to_end(std::uint64_t& end) const {
        for (std::size_t k = pos_; k < n_; ++k)
            if (buf_[k] != 0) return false;
        end = at(n_);
        if (n_ < block_size) return true;
        std::vector<std::uint8_t> more(block_size);
        for (std::uint64_t b = block_ + 1;; ++b) {
            const std::size_t n = read_at(more.data(), b * block_size);
            for (std::size_t k = 0; k < n; ++k)
                if (more[k] != 0) return false;
            end = b * block_size + n;
            if (n < block_size) return true;
        }
    }

    /// Reads the next record into `out`. False at the clean end, or with problem_ set.
    bool step(LogRecord& out) {
        out.data.clear();
        bool in_record = false;
        std::uint64_t record_start = 0;
        for (;;) {
            if (pos_ >= n_) {
                if (n_ < block_size) return in_record ? truncated(record_start, "a record") : false;
                load(block_ + 1);
                continue;
            }
            if (block_size - pos_ < header_size) {  // trailer; never inside a record (see below)
                for (std::size_t k = pos_; k < n_; ++k)
                    if (buf_[k] != 0) return corrupt(at(k), "non-zero byte in block trailer at offset " + std::to_string(at(k)));
                if (n_ < block_size) return truncated(at(pos_), "a block trailer");
                pos_ = block_size;
                continue;
            }
            const std::uint64_t chunk = at(pos_);
            const std::uint64_t tail = in_record ? record_start : chunk;
            if (n_ - pos_ < header_size) return truncated(tail, "a record");
            const std::uint8_t* h = buf_.data() + pos_;
            const std::uint32_t stored = std::uint32_t{h[0]} | std::uint32_t{h[1]} << 8 |
                                         std::uint32_t{h[2]} << 16 | std::uint32_t{h[3]} << 24;
            const std::size_t length = std::size_t{h[4]} | std::size_t{h[5]} << 8;
            const std::uint8_t type = h[6];
            if (stored == 0 && length == 0 && type == 0) {
                std::uint64_t end = 0;
                if (zero_to_end(end))
                    return report(LogProblem::Kind::truncated_tail, tail,
                                  "truncated tail at offset " + std::to_string(tail) +
                                      ": only zero bytes from offset " + std::to_string(chunk) +
                                      " to the end of the file at offset " + std::to_string(end));
                return corrupt(chunk, "all-zero chunk header at offset " + std::to_string(chunk));
            }
            if (pos_ + header_size + length > block_size)
                return corrupt_chunk(chunk, "chunk length " + std::to_string(length) + " overruns its block");
            if (pos_ + header_size + length > n_) return truncated(tail, "a record");
            if (detail::crc32(0, h + 6, 1 + length) != stored) return corrupt_chunk(chunk, "CRC mismatch");
            static constexpr const char* names[] = {"", "FULL", "FIRST", "MIDDLE", "LAST"};
            if (type < 1 || type > 4) return corrupt_chunk(chunk, "invalid chunk type " + std::to_string(type));
            const bool starts = type == 1 || type == 2;
            if (starts && in_record)
                return corrupt_chunk(chunk, std::string(names[type]) + " chunk inside the record at offset " +
                                                std::to_string(record_start));
            if (!starts && !in_record)
                return corrupt_chunk(chunk, std::string(names[type]) + " chunk outside a record");
            if (starts) {
                in_record = true;
                record_start = chunk;
            }
            out.data.insert(out.data.end(), h + header_size, h + header_size + length);
            pos_ += header_size + length;
            if (type == 1 || type == 4) {
                out.offset = record_start;
                return true;
            }
            // FIRST and MIDDLE chunks fill their block, so a record never continues past a trailer.
            if (pos_ != block_size)
                return corrupt_chunk(chunk, std::string(names[type]) + " chunk does not reach the end of its block");
        }
    }

    std::string path_;
    int fd_ = -1;
    std::vector<std::uint8_t> buf_;  // the current block
    std::uint64_t block_ = 0;        // index of the block in buf_
    std::size_t n_ = 0;              // valid bytes in buf_
    std::size_t pos_ = 0;            // where the next chunk (or trailer) starts in buf_
    std::optional<LogProblem> problem_;
    std::uint64_t returned_end_ = 0;  // follow: file offset just past the last record returned
    bool exit_seen_ = false;          // follow: the Exit record was returned
};

WANDB_NAMESPACE_END
