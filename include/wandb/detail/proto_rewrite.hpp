// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Rewriting chosen string fields of an encoded protobuf message without re-encoding anything
/// else: the bytes of every other field, unknown ones included, are copied as they are, in their
/// order; a rewritten field keeps its key bytes and gets a new length and payload, and each
/// message enclosing it gets a new length. A message written by another encoder (non-minimal
/// varints, fields out of order, repeated singular fields) therefore changes only where a chosen
/// string changes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../version.hpp"
#include "protobuf.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The length of the varint at `bytes[at]` (the caller knows it is well formed).
inline std::size_t varint_length_at(std::string_view bytes, std::size_t at) {
    std::size_t n = 0;
    while (at + n < bytes.size() && (static_cast<std::uint8_t>(bytes[at + n]) & 0x80)) ++n;
    return n + 1;
}

/// Rewrites the string fields reached from `message` by the field numbers `path[level..]`: every
/// LEN field numbered `path[level]` is a nested message to descend into, down to the last number,
/// whose fields are the strings. `replace(old)` returns the new string, or nothing to keep a field
/// as it is. Returns the new message bytes, or nothing if no field changed.
/// \throws ProtoError  if `message`, or a message on the path, is not valid protobuf.
template <class Replace>
std::optional<std::string> rewrite_string_fields(std::string_view message, const std::vector<std::uint32_t>& path,
                                                 std::size_t level, Replace& replace) {
    ProtoReader reader(message.data(), message.size());
    ProtoField f;
    std::string out;
    std::size_t copied = 0;
    bool changed = false;
    while (reader.next(f)) {
        if (f.number != path[level] || f.type != WireType::len) continue;
        const std::optional<std::string> payload = level + 1 == path.size()
                                                       ? std::optional<std::string>(replace(f.payload))
                                                       : rewrite_string_fields(f.payload, path, level + 1, replace);
        if (!payload) continue;
        const std::size_t key_end = f.offset + varint_length_at(message, f.offset);
        const std::size_t field_end = static_cast<std::size_t>(f.payload.data() - message.data()) + f.payload.size();
        out.append(message.substr(copied, key_end - copied));  // untouched fields, then this field's key
        ProtoEncoder length;
        length.varint(payload->size());
        out.append(reinterpret_cast<const char*>(length.bytes().data()), length.bytes().size());
        out += *payload;
        copied = field_end;
        changed = true;
    }
    if (!changed) return std::nullopt;
    out.append(message.substr(copied));
    return out;
}

}  // namespace detail
WANDB_NAMESPACE_END
