// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Protobuf bytes to JSON by a message description (proto_schema.hpp): the decoder behind
/// `wandb::decode_record`.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../json.hpp"
#include "../version.hpp"
#include "hash.hpp"
#include "proto_schema.hpp"
#include "protobuf.hpp"
#include "utf8.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {
namespace proto {

namespace json_impl {

/// The wire type a field of `kind` must have.
inline WireType wire_of(Kind kind) {
    return kind == Kind::string || kind == Kind::message ? WireType::len : WireType::varint;
}

/// A field not in the description: VARINT, I64 and I32 as unsigned numbers, LEN as lower-case hex.
inline Json unknown_value(const ProtoField& f) {
    if (f.type == WireType::len)
        return to_hex(reinterpret_cast<const std::uint8_t*>(f.payload.data()), f.payload.size());
    return f.value;
}

[[noreturn]] inline void fail(std::size_t offset, const std::string& what) { throw ProtoError(offset, what); }

}  // namespace json_impl

/// The JSON of the message `m` encoded in `bytes`, keyed by proto field names in wire order:
/// integers as numbers (int32 sign-extended from its low 32 bits, uint32 and uint64 unsigned),
/// bools, enum names (a value without a name as its number), strings, nested messages as objects,
/// repeated fields as arrays; the last of repeated occurrences of a singular field wins (proto3).
/// A field `m` does not describe is kept under its number: VARINT/I64/I32 as unsigned numbers, LEN
/// as lower-case hex, repeats as an array. `base` is added to the offsets of errors.
/// \throws ProtoError  on malformed protobuf, a described field with the wrong wire type
///   ("HistoryItem.key has wire type 0, expected 2"), or a string that is not UTF-8.
inline Json decode_json(const Message& m, std::string_view bytes, std::size_t base) {
    using json_impl::fail;
    Json out = Json::object();
    ProtoReader reader(bytes, base);
    ProtoField f;
    while (reader.next(f)) {
        const Field* d = nullptr;
        for (const Field& candidate : m)
            if (candidate.number == f.number) {
                d = &candidate;
                break;
            }
        if (!d) {  // unknown: keep under its number; a repeated number becomes an array
            const std::string k = std::to_string(f.number);
            Json v = json_impl::unknown_value(f);
            if (!out.contains(k))
                out[k] = std::move(v);
            else {
                if (!out[k].is_array()) out[k] = Json::array({out[k]});  // unknown values are scalars
                out[k].push_back(std::move(v));
            }
            continue;
        }
        const WireType expected = json_impl::wire_of(d->kind);
        if (f.type != expected)
            fail(f.offset, std::string(m.name) + "." + d->name + " has wire type " +
                               std::to_string(static_cast<int>(f.type)) + ", expected " +
                               std::to_string(static_cast<int>(expected)));
        Json v;
        switch (d->kind) {
            case Kind::string:
                if (first_invalid_utf8(f.payload)) fail(f.offset, std::string(m.name) + "." + d->name + " is not valid UTF-8");
                v = std::string(f.payload);
                break;
            case Kind::int64: v = static_cast<std::int64_t>(f.value); break;
            case Kind::int32: v = static_cast<std::int32_t>(static_cast<std::uint32_t>(f.value)); break;
            case Kind::uint32:
            case Kind::uint64: v = f.value; break;
            case Kind::boolean: v = f.value != 0; break;
            case Kind::enumeration:
                if (f.value < d->enumeration->count)
                    v = d->enumeration->names[f.value];
                else
                    v = static_cast<std::int32_t>(static_cast<std::uint32_t>(f.value));
                break;
            case Kind::message:
                v = decode_json(*d->message, f.payload, static_cast<std::size_t>(f.payload.data() - bytes.data()) + base);
                break;
        }
        if (d->label == Label::repeated) {
            if (!out.contains(d->name)) out[d->name] = Json::array();
            out[d->name].push_back(std::move(v));
        } else {
            out[d->name] = std::move(v);  // proto3: the last occurrence wins
        }
    }
    return out;
}

}  // namespace proto
}  // namespace detail
WANDB_NAMESPACE_END
