// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// A minimal proto3 wire-format encoder and field walker: exactly what the `.wandb` log needs for
/// the handful of `wandb_internal.proto` messages the library writes and reads back (their schema:
/// records.hpp, walked by proto_schema.hpp). The encoder writes VARINT (0) and LEN (2) fields; the
/// reader also walks I64 (1) and I32 (5) and rejects groups (3, 4). Proto3 rule: a scalar field
/// holding its default (0, false, "") is not emitted; nested messages and repeated elements are
/// always emitted.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The bytes of an encoded protobuf message or of a `.wandb` record.
using Bytes = std::vector<std::uint8_t>;

/// Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
enum class WireType : std::uint8_t { varint = 0, i64 = 1, len = 2, i32 = 5 };

/// Appends proto3 fields to a byte buffer. Field numbers must be 1..2^29-1.
///
/// A nested message can be written in place (begin_message, its fields, end_message): its
/// length is filled in at the end, so the message is never built in a buffer of its own and
/// copied into its parent.
class ProtoEncoder {
public:
    /// The message encoded so far.
    const Bytes& bytes() const noexcept { return out_; }
    /// Moves the encoded message out; the encoder is empty afterwards.
    Bytes take() noexcept { return std::move(out_); }
    /// Reserves room for `n` bytes in all.
    void reserve(std::size_t n) { out_.reserve(n); }
    /// The number of bytes encoded so far (a position for truncate()).
    std::size_t size() const noexcept { return out_.size(); }
    /// Drops every byte from position `at` on.
    void truncate(std::size_t at) { out_.resize(at); }
    /// Appends bytes encoded elsewhere (whole fields).
    void append(const std::uint8_t* data, std::size_t size) { out_.insert(out_.end(), data, data + size); }

    /// Appends a base-128 varint.
    void varint(std::uint64_t v) {
        if (v < 0x80) {
            out_.push_back(static_cast<std::uint8_t>(v));
            return;
        }
        std::uint8_t b[10];
        out_.insert(out_.end(), b, b + put_varint(b, v));
    }
    /// Appends a field key (field number and wire type).
    void key(std::uint32_t field, WireType type) {
        varint(std::uint64_t{field} << 3 | static_cast<std::uint8_t>(type));
    }

    /// `uint64` or `uint32` field; omitted when 0.
    void uint64_field(std::uint32_t field, std::uint64_t v) {
        if (v == 0) return;
        key(field, WireType::varint);
        varint(v);
    }
    /// `int64` field; omitted when 0. Negative values take ten bytes.
    void int64_field(std::uint32_t field, std::int64_t v) { uint64_field(field, static_cast<std::uint64_t>(v)); }
    /// `int32` or enum field; omitted when 0. Negative values are sign-extended to ten bytes, as
    /// the protobuf spec requires for int32.
    void int32_field(std::uint32_t field, std::int32_t v) { int64_field(field, v); }
    /// `bool` field; omitted when false.
    void bool_field(std::uint32_t field, bool v) {
        if (!v) return;
        key(field, WireType::varint);
        varint(1);
    }
    /// Singular `string`/`bytes` field; omitted when empty. Does not check UTF-8.
    void string_field(std::uint32_t field, std::string_view v) {
        if (!v.empty()) len_field(field, v.data(), v.size());
    }
    /// One element of a repeated `string`/`bytes` field, or a nested message: always emitted.
    void len_field(std::uint32_t field, const void* data, std::size_t size) {
        key(field, WireType::len);
        varint(size);
        const auto* p = static_cast<const std::uint8_t*>(data);
        out_.insert(out_.end(), p, p + size);
    }
    /// A nested message field (always emitted, even when the message is empty).
    void message_field(std::uint32_t field, const Bytes& message) {
        len_field(field, message.data(), message.size());
    }

    /// Starts a nested message field written in place: appends its key and a one-byte length,
    /// and returns the position where the message's own bytes begin (for end_message).
    std::size_t begin_message(std::uint32_t field) {
        key(field, WireType::len);
        out_.push_back(0);
        return out_.size();
    }
    /// Ends the nested message whose bytes began at `body` (what begin_message returned): sets its
    /// length, moving the bytes up when the length takes more than one byte. The result is the
    /// same as message_field's with those bytes.
    void end_message(std::size_t body) {
        const std::size_t size = out_.size() - body;
        if (size < 0x80) {
            out_[body - 1] = static_cast<std::uint8_t>(size);
            return;
        }
        std::uint8_t b[10];
        const std::size_t n = put_varint(b, size);
        out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(body), n - 1, std::uint8_t{0});
        std::copy(b, b + n, out_.begin() + static_cast<std::ptrdiff_t>(body - 1));
    }

private:
    /// Writes the varint of `v` at `b` (room for 10 bytes); returns its length.
    static std::size_t put_varint(std::uint8_t* b, std::uint64_t v) noexcept {
        std::size_t n = 0;
        while (v >= 0x80) {
            b[n++] = static_cast<std::uint8_t>(v | 0x80);
            v >>= 7;
        }
        b[n++] = static_cast<std::uint8_t>(v);
        return n;
    }

    Bytes out_;
};

/// Malformed protobuf input: `offset` is the byte offset (within the buffer given to the
/// ProtoReader) of the field or value that could not be parsed.
class ProtoError : public std::runtime_error {
public:
    ProtoError(std::size_t offset, const std::string& what)
        : std::runtime_error(what), offset_(offset) {}
    /// Byte offset of the problem within the walked buffer.
    std::size_t offset() const noexcept { return offset_; }

private:
    std::size_t offset_;
};

/// One field as it appears on the wire.
struct ProtoField {
    std::uint32_t number = 0;           ///< field number
    WireType type = WireType::varint;   ///< wire type
    std::uint64_t value = 0;            ///< VARINT value, or raw bits of I64 / I32
    std::string_view payload;           ///< LEN payload (empty for other wire types)
    std::size_t offset = 0;             ///< offset of the field's key in the walked buffer
};

/// Walks the fields of one encoded message in wire order. Throws ProtoError on malformed input:
/// truncated varint or payload, a varint longer than ten bytes, field number 0, wire types 3/4/6/7.
class ProtoReader {
public:
    /// Reads `size` bytes at `data`; `base` is added to offsets reported in errors and fields.
    ProtoReader(const void* data, std::size_t size, std::size_t base = 0) noexcept
        : p_(static_cast<const std::uint8_t*>(data)), n_(size), base_(base) {}
    /// Reads the payload of a LEN field found by another reader, keeping absolute offsets.
    ProtoReader(std::string_view payload, std::size_t base) noexcept
        : ProtoReader(payload.data(), payload.size(), base) {}

    /// Reads the next field into `f`; false at the end of the message.
    bool next(ProtoField& f) {
        if (pos_ == n_) return false;
        f = ProtoField{};
        f.offset = base_ + pos_;
        const std::uint64_t k = read_varint();
        const auto wire = static_cast<std::uint8_t>(k & 7);
        if ((k >> 3) == 0 || (k >> 3) > 0x1FFFFFFFu) fail(f.offset, "invalid field number");
        f.number = static_cast<std::uint32_t>(k >> 3);
        switch (wire) {
            case 0:
                f.type = WireType::varint;
                f.value = read_varint();
                break;
            case 1:
                f.type = WireType::i64;
                f.value = read_fixed(8);
                break;
            case 2: {
                f.type = WireType::len;
                const std::size_t at = pos_;
                const std::uint64_t len = read_varint();
                if (len > n_ - pos_) fail(base_ + at, "length-delimited field overruns its message");
                f.payload = std::string_view(reinterpret_cast<const char*>(p_ + pos_), static_cast<std::size_t>(len));
                pos_ += static_cast<std::size_t>(len);
                break;
            }
            case 5:
                f.type = WireType::i32;
                f.value = read_fixed(4);
                break;
            default:
                fail(f.offset, "unsupported wire type " + std::to_string(wire));
        }
        return true;
    }

private:
    [[noreturn]] static void fail(std::size_t offset, const std::string& what) { throw ProtoError(offset, what); }

    std::uint64_t read_varint() {
        const std::size_t start = pos_;
        std::uint64_t v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos_ == n_) fail(base_ + start, "truncated varint");
            const std::uint8_t b = p_[pos_++];
            if (shift == 63 && b > 1) fail(base_ + start, "varint overflows 64 bits");
            v |= std::uint64_t{b & 0x7Fu} << shift;
            if (!(b & 0x80)) return v;
        }
        fail(base_ + start, "varint longer than ten bytes");
    }
    std::uint64_t read_fixed(std::size_t width) {
        if (n_ - pos_ < width) fail(base_ + pos_, "truncated fixed-width value");
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < width; ++i) v |= std::uint64_t{p_[pos_ + i]} << (8 * i);
        pos_ += width;
        return v;
    }

    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

}  // namespace detail
WANDB_NAMESPACE_END
