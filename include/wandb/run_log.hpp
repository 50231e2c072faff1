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

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
    explicit RunLogReader(std::string path);

    RunLogReader(const RunLogReader&) = delete;
    RunLogReader& operator=(const RunLogReader&) = delete;
    /// Closes the file.
    ~RunLogReader();

    /// The next record, or nothing at the clean end of the log.
    /// \throws wandb::FormatError  at the first problem (and again on every later call), with the
    ///   message "wandb::RunLogReader: <path>: " + LogProblem::message.
    /// \throws wandb::IoError  if reading fails.
    std::optional<LogRecord> next();

    /// Reads the remaining records up to the end or the first problem, which is returned rather
    /// than thrown.
    /// \throws wandb::IoError  if reading fails.
    LogReadResult read_all();

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
    std::optional<LogRecord> follow(const FollowOptions& options = {});

    /// Whether follow() has returned the log's Exit record (`Record` field 18).
    bool exit_seen() const noexcept { return exit_seen_; }

    /// The log's path.
    const std::string& path() const noexcept { return path_; }

private:
    /// Whether a record's bytes hold an Exit record; false for bytes that do not parse.
    static bool is_exit_record(const std::vector<std::uint8_t>& data);

    void check_not_shrunk() const;

    static constexpr std::size_t block_size = 32768;
    static constexpr std::size_t header_size = 7;  // chunk header, and also the W&B file header

    static std::string hex16(unsigned v);

    std::uint64_t at(std::size_t pos) const noexcept { return block_ * block_size + pos; }

    /// Reads block `index` into buf_ (n_ = bytes read, short only for the last block).
    void load(std::uint64_t index);
    std::size_t read_at(std::uint8_t* into, std::uint64_t offset) const;

    bool report(LogProblem::Kind kind, std::uint64_t offset, std::string message);
    bool truncated(std::uint64_t tail, const char* where);
    bool corrupt(std::uint64_t offset, const std::string& what);
    bool corrupt_chunk(std::uint64_t chunk, const std::string& what);

    /// Whether every byte from buf_[pos_] to the end of the file is zero; sets `end` to the file size.
    bool zero_to_end(std::uint64_t& end) const;

    /// Reads the next record into `out`. False at the clean end, or with problem_ set.
    bool step(LogRecord& out);

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

#if WANDB_IMAGEMASK_DEFINITIONS
#include "run_log-inl.hpp"
#endif
