// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of run_log.hpp: RunLogReader's reading of blocks with pread(2), its chunk and
/// CRC checks, and follow's polling.

#include "run_log.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "detail/crc32.hpp"
#include "detail/input_file.hpp"
#include "detail/protobuf.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE RunLogReader::RunLogReader(std::string path) : path_(std::move(path)) {
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

WANDB_IMAGEMASK_INLINE RunLogReader::~RunLogReader() {
    if (fd_ >= 0) ::close(fd_);
}

WANDB_IMAGEMASK_INLINE std::optional<LogRecord> RunLogReader::next() {
    LogRecord r;
    if (!problem_ && step(r)) return r;
    if (problem_) throw FormatError("wandb::RunLogReader: " + path_ + ": " + problem_->message);
    return std::nullopt;
}

WANDB_IMAGEMASK_INLINE LogReadResult RunLogReader::read_all() {
    LogReadResult result;
    LogRecord r;
    while (!problem_ && step(r)) result.records.push_back(std::move(r));
    result.problem = problem_;
    return result;
}

WANDB_IMAGEMASK_INLINE std::optional<LogRecord> RunLogReader::follow(const FollowOptions& options) {
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

WANDB_IMAGEMASK_INLINE bool RunLogReader::is_exit_record(const std::vector<std::uint8_t>& data) {
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

WANDB_IMAGEMASK_INLINE void RunLogReader::check_not_shrunk() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0)
        throw IoError("wandb::RunLogReader: cannot stat " + path_ + ": " + std::strerror(errno));
    if (static_cast<std::uint64_t>(st.st_size) < returned_end_)
        throw FormatError("wandb::RunLogReader: " + path_ + ": the log shrank to " + std::to_string(st.st_size) +
                          " bytes while followed, below the " + std::to_string(returned_end_) +
                          " bytes already read (a failed write was rolled back)");
}

WANDB_IMAGEMASK_INLINE std::string RunLogReader::hex16(unsigned v) {
    char text[8];
    std::snprintf(text, sizeof text, "%04X", v & 0xFFFFu);
    return text;
}

WANDB_IMAGEMASK_INLINE void RunLogReader::load(std::uint64_t index) {
    block_ = index;
    n_ = read_at(buf_.data(), index * block_size);
    pos_ = 0;
}

WANDB_IMAGEMASK_INLINE std::size_t RunLogReader::read_at(std::uint8_t* into, std::uint64_t offset) const {
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

WANDB_IMAGEMASK_INLINE bool RunLogReader::report(LogProblem::Kind kind, std::uint64_t offset, std::string message) {
    problem_ = LogProblem{kind, offset, std::move(message)};
    return false;
}

WANDB_IMAGEMASK_INLINE bool RunLogReader::truncated(std::uint64_t tail, const char* where) {
    return report(LogProblem::Kind::truncated_tail, tail,
                  "truncated tail at offset " + std::to_string(tail) + ": the file ends at offset " +
                      std::to_string(at(n_)) + " inside " + where);
}

WANDB_IMAGEMASK_INLINE bool RunLogReader::corrupt(std::uint64_t offset, const std::string& what) {
    return report(LogProblem::Kind::corrupt, offset, what);
}

WANDB_IMAGEMASK_INLINE bool RunLogReader::corrupt_chunk(std::uint64_t chunk, const std::string& what) {
    return corrupt(chunk, what + " in chunk at offset " + std::to_string(chunk));
}

WANDB_IMAGEMASK_INLINE bool RunLogReader::zero_to_end(std::uint64_t& end) const {
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

WANDB_IMAGEMASK_INLINE bool RunLogReader::step(LogRecord& out) {
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

WANDB_NAMESPACE_END
