// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Descriptions of protobuf messages as constexpr tables, and the one encoder that walks them.
///
/// A `Message` is a name and a list of `Field`s: number, proto name, kind (a scalar, an enum or a
/// nested message), label (singular or repeated). A field may be *bound* to a member of the C++
/// struct the message describes (`field<&RunRecord::run_id>(1, "run_id")`): the encoder writes it
/// from that member. An *unbound* field (`unbound(20, "runtime", Kind::int32)`) is known to the
/// decoder only (proto_json.hpp). So one table per message serves the writer, the decoder, and the
/// test that compares every table with the facts of W&B's .proto files.
///
/// How a bound member is read, by its C++ type: `std::string`, `bool`, `std::int32_t`,
/// `std::int64_t`, `std::uint32_t`, `std::uint64_t`, an enum whose underlying type is int32 (proto
/// enum), or a struct described by a Message; `std::vector<T>` for a repeated field (of strings or
/// messages); `std::optional<T>` for a message field that may be absent. The builders deduce the
/// kind from the member's type and check at compile time that a nested Message describes that
/// struct, so a table cannot bind a member to the wrong kind.
///
/// Proto3 rules, as the encoder applies them: a singular scalar holding its default (0, false, "")
/// is not written; a nested message is always written (a `std::optional` one when it holds a
/// value); every element of a repeated field is written. Two shapes cover structs that are flatter
/// than their message: `self<T>` (HeaderRecord's VersionInfo is described over HeaderRecord itself)
/// and `wrapped<&S::m>` (a member that holds the one written field of a nested message, e.g.
/// `HistoryRecord.step` holds `HistoryStep.num`; the nested message is written when the member is
/// set: an optional that holds a value, otherwise when the nested field is not its default).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../error.hpp"
#include "../version.hpp"
#include "hash.hpp"
#include "protobuf.hpp"
#include "utf8.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {
namespace proto {

/// What a field holds on the wire and in JSON.
enum class Kind : std::uint8_t { string, int64, int32, uint32, uint64, boolean, enumeration, message };
/// Whether a field holds one value or a list.
enum class Label : std::uint8_t { singular, repeated };

struct Message;
struct Enum;

/// Element `index` of a bound member of `object` (a plain member has one element, an empty
/// `std::optional` none, a `std::vector` one per entry), or nullptr past the last one.
using Elements = const void* (*)(const void* object, std::size_t index);

/// One field of a message. Build with field(), wrapped(), self() or unbound().
struct Field {
    std::uint32_t number = 0;
    const char* name = "";
    Kind kind = Kind::string;
    Label label = Label::singular;
    const Message* message = nullptr;   ///< Kind::message: the nested message
    const Enum* enumeration = nullptr;  ///< Kind::enumeration: its value names
    Elements elements = nullptr;        ///< the member it is written from; nullptr: decoded only
    bool bound = false;                 ///< elements is set (a flag: constant expressions under
                                        ///< -fsanitize may not compare a function's address)
    std::string_view object_type;       ///< the struct `elements` reads (checked by message())
    const Field* wraps = nullptr;       ///< wrapped(): the field of `message` the member holds
    bool optional_member = false;       ///< wrapped(): the member is a std::optional
    std::int64_t min = 0, max = -1;     ///< within(): the accepted range of an integer (if min <= max)

    /// This field, refusing (at encoding) integers outside `lo..hi` with
    /// "<Holder>.<field>.<name> must be in lo..hi, got v" (holder: the field holding this message).
    constexpr Field within(std::int64_t lo, std::int64_t hi) const {
        Field f = *this;
        f.min = lo;
        f.max = hi;
        return f;
    }
};

/// A message: its proto name (innermost, as in error messages: "HistoryItem"), its fields, and the
/// struct its bound fields read (empty for a message that is only decoded).
struct Message {
    const char* name;
    const Field* fields;
    std::size_t count;
    std::string_view type;

    constexpr const Field* begin() const noexcept { return fields; }
    constexpr const Field* end() const noexcept { return fields + count; }
};

/// A proto enum: its name and the names of its values 0..count-1.
struct Enum {
    const char* name;
    const char* const* names;
    std::size_t count;
};

namespace schema_impl {

/// A distinct text per type (the compiler's signature of this function, which names T), equal or
/// not in constant expressions. Not an address: under -fsanitize, g++ does not fold the comparison
/// of two distinct objects' addresses.
template <class T>
constexpr std::string_view type_of() {
    return __PRETTY_FUNCTION__;
}

/// Fails the constant evaluation of a table (a compile error naming `why`) when `ok` is false.
constexpr void require(bool ok, const char* why) {
    if (!ok) throw std::logic_error(why);
}

template <class P>
struct MemberOf;
template <class C, class T>
struct MemberOf<T C::*> {
    using object = C;
    using type = T;
};

/// How a member's elements are found: a plain member is one element.
template <class T>
struct Shape {
    using element = T;
    static constexpr bool optional = false, repeated = false;
    static const void* at(const T& m, std::size_t i) { return i == 0 ? &m : nullptr; }
};
template <class T>
struct Shape<std::optional<T>> {
    using element = T;
    static constexpr bool optional = true, repeated = false;
    static const void* at(const std::optional<T>& m, std::size_t i) { return i == 0 && m ? &*m : nullptr; }
};
template <class T, class A>
struct Shape<std::vector<T, A>> {
    using element = T;
    static constexpr bool optional = false, repeated = true;
    static const void* at(const std::vector<T, A>& m, std::size_t i) { return i < m.size() ? &m[i] : nullptr; }
};

template <auto Member>
using ShapeOf = Shape<typename MemberOf<decltype(Member)>::type>;

template <auto Member>
const void* member_elements(const void* object, std::size_t index) {
    using Object = typename MemberOf<decltype(Member)>::object;
    return ShapeOf<Member>::at(static_cast<const Object*>(object)->*Member, index);
}

inline const void* self_elements(const void* object, std::size_t index) { return index == 0 ? object : nullptr; }

/// The kind a member element of type T is written as.
template <class T>
constexpr Kind kind_of() {
    if constexpr (std::is_same_v<T, std::string>) return Kind::string;
    else if constexpr (std::is_same_v<T, bool>) return Kind::boolean;
    else if constexpr (std::is_same_v<T, std::int32_t>) return Kind::int32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return Kind::int64;
    else if constexpr (std::is_same_v<T, std::uint32_t>) return Kind::uint32;
    else if constexpr (std::is_same_v<T, std::uint64_t>) return Kind::uint64;
    else if constexpr (std::is_enum_v<T>) {
        static_assert(std::is_same_v<std::underlying_type_t<T>, std::int32_t>, "a proto enum is an int32");
        return Kind::enumeration;
    } else {
        static_assert(std::is_class_v<T>, "a member is a string, bool, 32/64-bit integer, int32 enum or struct");
        return Kind::message;
    }
}

/// A field bound to `Member`, of the kind its type gives.
template <auto Member>
constexpr Field bound(std::uint32_t number, const char* name) {
    using S = ShapeOf<Member>;
    constexpr Kind kind = kind_of<typename S::element>();
    static_assert(!S::repeated || kind == Kind::string || kind == Kind::message,
                  "repeated numbers are packed on the wire: not modelled");
    static_assert(!S::optional || kind == Kind::message, "only a message member may be std::optional");
    Field f;
    f.number = number;
    f.name = name;
    f.kind = kind;
    f.label = S::repeated ? Label::repeated : Label::singular;
    f.elements = &member_elements<Member>;
    f.bound = true;
    f.object_type = type_of<typename MemberOf<decltype(Member)>::object>();
    return f;
}

}  // namespace schema_impl

/// A string, bool or integer field written from `Member` (a std::vector<std::string> is a repeated
/// string field).
template <auto Member>
constexpr Field field(std::uint32_t number, const char* name) {
    constexpr Kind kind = schema_impl::kind_of<typename schema_impl::ShapeOf<Member>::element>();
    static_assert(kind != Kind::message && kind != Kind::enumeration, "name the field's Message or Enum");
    return schema_impl::bound<Member>(number, name);
}

/// An enum field written from `Member` (an enum class with int32 values, in the order of `e`).
template <auto Member>
constexpr Field field(std::uint32_t number, const char* name, const Enum& e) {
    static_assert(schema_impl::kind_of<typename schema_impl::ShapeOf<Member>::element>() == Kind::enumeration,
                  "the member is not an enum");
    Field f = schema_impl::bound<Member>(number, name);
    f.enumeration = &e;
    return f;
}

/// A nested message field written from `Member`: a struct `m` describes, a std::optional of one,
/// or a std::vector of them (repeated).
template <auto Member>
constexpr Field field(std::uint32_t number, const char* name, const Message& m) {
    using Element = typename schema_impl::ShapeOf<Member>::element;
    static_assert(schema_impl::kind_of<Element>() == Kind::message, "the member is not a struct");
    schema_impl::require(m.type == schema_impl::type_of<Element>(), "the nested Message describes another struct");
    Field f = schema_impl::bound<Member>(number, name);
    f.message = &m;
    return f;
}

/// A nested message `m` whose field `inner` `Member` holds (its other fields are not written).
/// The message is written when the member is set: a std::optional that holds a value (even one
/// whose field is its default), any other member when `inner` is not its default.
template <auto Member>
constexpr Field wrapped(std::uint32_t number, const char* name, const Message& m, std::uint32_t inner) {
    using S = schema_impl::ShapeOf<Member>;
    using Element = typename S::element;
    std::size_t at = m.count;  // indices, not pointers: -fsanitize builds cannot compare those with null here
    for (std::size_t i = 0; i < m.count; ++i)
        if (m.fields[i].number == inner) at = i;
    schema_impl::require(at < m.count, "the nested Message has no such field");
    const Field* target = m.fields + at;
    schema_impl::require(target->kind == schema_impl::kind_of<Element>(), "the member's kind differs from the field's");
    schema_impl::require(target->kind != Kind::message || target->message->type == schema_impl::type_of<Element>(),
                         "the field's Message describes another struct");
    schema_impl::require((target->label == Label::repeated) == S::repeated, "the member and the field differ in label");
    schema_impl::require(target->kind != Kind::enumeration, "a wrapped enum is not modelled");
    Field f;
    f.number = number;
    f.name = name;
    f.kind = Kind::message;
    f.message = &m;
    f.elements = &schema_impl::member_elements<Member>;
    f.bound = true;
    f.object_type = schema_impl::type_of<typename schema_impl::MemberOf<decltype(Member)>::object>();
    f.wraps = target;
    f.optional_member = S::optional;
    return f;
}

/// A nested message field written from the enclosing struct `T` itself, which `m` also describes
/// (HeaderRecord.version_info: VersionInfo's fields are HeaderRecord's members). Always written.
template <class T>
constexpr Field self(std::uint32_t number, const char* name, const Message& m) {
    schema_impl::require(m.type == schema_impl::type_of<T>(), "the nested Message describes another struct");
    Field f;
    f.number = number;
    f.name = name;
    f.kind = Kind::message;
    f.message = &m;
    f.elements = &schema_impl::self_elements;
    f.bound = true;
    f.object_type = schema_impl::type_of<T>();
    return f;
}

/// A scalar field that is decoded but never written.
constexpr Field unbound(std::uint32_t number, const char* name, Kind kind, Label label = Label::singular) {
    schema_impl::require(kind != Kind::message && kind != Kind::enumeration, "name the field's Message or Enum");
    Field f;
    f.number = number;
    f.name = name;
    f.kind = kind;
    f.label = label;
    return f;
}
/// A nested message field that is decoded but never written.
constexpr Field unbound(std::uint32_t number, const char* name, const Message& m, Label label = Label::singular) {
    Field f;
    f.number = number;
    f.name = name;
    f.kind = Kind::message;
    f.label = label;
    f.message = &m;
    return f;
}
/// An enum field that is decoded but never written.
constexpr Field unbound(std::uint32_t number, const char* name, const Enum& e) {
    Field f;
    f.number = number;
    f.name = name;
    f.kind = Kind::enumeration;
    f.enumeration = &e;
    return f;
}

/// The description of a message over struct `T` (`void`: decoded only). Checks at compile time
/// that every bound field reads a member of `T` and that field numbers are unique.
template <class T = void, std::size_t N>
constexpr Message message(const char* name, const Field (&fields)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
        if constexpr (std::is_void_v<T>)
            schema_impl::require(!fields[i].bound, "a decoded-only message has a bound field");
        else
            schema_impl::require(!fields[i].bound || fields[i].object_type == schema_impl::type_of<T>(),
                                 "a field reads a member of another struct");
        for (std::size_t j = 0; j < i; ++j)
            schema_impl::require(fields[i].number != fields[j].number, "two fields share a number");
    }
    if constexpr (std::is_void_v<T>)
        return Message{name, fields, N, {}};
    else
        return Message{name, fields, N, schema_impl::type_of<T>()};
}

/// The description of an enum: the names of its values 0..N-1.
template <std::size_t N>
constexpr Enum enumeration(const char* name, const char* const (&names)[N]) {
    return Enum{name, names, N};
}

/// The field of `m` written from a value of struct `T` (one whose Message describes `T`); a
/// compile error when `m` has none or more than one.
template <class T>
constexpr const Field& field_for(const Message& m) {
    std::size_t at = m.count;
    for (std::size_t i = 0; i < m.count; ++i)
        if (m.fields[i].kind == Kind::message && m.fields[i].message->type == schema_impl::type_of<T>()) {
            schema_impl::require(at == m.count, "two fields hold this struct");
            at = i;
        }
    schema_impl::require(at < m.count, "no field holds this struct");
    return m.fields[at];
}

/// The number of the field of `m` named `name`; a compile error (in a constant expression) when
/// `m` has none.
constexpr std::uint32_t number_of(const Message& m, std::string_view name) {
    for (const Field& f : m)
        if (name == f.name) return f.number;
    schema_impl::require(false, "no field of that name");
    return 0;
}

/// The field of `m` named `name`; a compile error (in a constant expression) when `m` has none.
constexpr const Field& field_named(const Message& m, std::string_view name) {
    std::size_t at = m.count;
    for (std::size_t i = 0; i < m.count; ++i)
        if (name == m.fields[i].name) at = i;
    schema_impl::require(at < m.count, "no field of that name");
    return m.fields[at];
}

/// The field numbers of the path `names` from `m` down nested messages, e.g. {8, 12, 4, 6} for
/// Record.artifact.manifest.contents.local_path.
/// \throws std::logic_error  if a name is not a field of its message (a programming error).
inline std::vector<std::uint32_t> field_numbers(const Message& m, std::initializer_list<std::string_view> names) {
    std::vector<std::uint32_t> out;
    const Message* at = &m;
    for (const std::string_view name : names) {
        const Field* found = nullptr;
        if (at)
            for (const Field& f : *at)
                if (name == f.name) found = &f;
        if (!found) throw std::logic_error("wandb::detail::proto::field_numbers: no field " + std::string(name));
        out.push_back(found->number);
        at = found->message;
    }
    return out;
}

namespace schema_impl {

/// The message and field that hold the message being encoded (empty for a record body).
struct Holder {
    const char* message = nullptr;
    const char* field = nullptr;
};

/// Whether every byte of `v` is ASCII (so `v` is valid UTF-8), eight bytes at a time.
inline bool all_ascii(std::string_view v) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= v.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, v.data() + i, 8);
        if (w & 0x8080808080808080u) return false;
    }
    for (; i < v.size(); ++i)
        if (static_cast<unsigned char>(v[i]) >= 0x80) return false;
    return true;
}

inline void check_utf8(std::string_view v, const Message& owner, const Field& f) {
    if (all_ascii(v)) return;
    if (const auto bad = first_invalid_utf8(v)) {
        const std::size_t at = *bad;
        throw ValidationError(std::string("wandb::encode_record: ") + owner.name + "." + f.name +
                              " is not valid UTF-8: bad byte 0x" +
                              to_hex(reinterpret_cast<const std::uint8_t*>(v.data()) + at, 1) + " at offset " +
                              std::to_string(at) + " of " + std::to_string(v.size()));
    }
}

inline std::int64_t checked(std::int64_t v, const Message& owner, const Field& f, const Holder& holder) {
    if (f.min <= f.max && (v < f.min || v > f.max))
        throw ValidationError(std::string("wandb::encode_record: ") +
                              (holder.message ? std::string(holder.message) + "." + holder.field : owner.name) +
                              "." + f.name + " must be in " + std::to_string(f.min) + ".." + std::to_string(f.max) +
                              ", got " + std::to_string(v));
    return v;
}

inline void encode_message_to(ProtoEncoder& out, const Message& m, const void* object, const Holder& holder);

/// Writes field `f` of `owner` once per element `elements` gives for `object`.
inline void encode_elements(ProtoEncoder& out, const Message& owner, const Field& f, Elements elements,
                            const void* object, const Holder& holder) {
    for (std::size_t i = 0;; ++i) {
        const void* v = elements(object, i);
        if (!v) return;
        switch (f.kind) {
            case Kind::string: {
                const auto& s = *static_cast<const std::string*>(v);
                check_utf8(s, owner, f);
                if (f.label == Label::repeated)
                    out.len_field(f.number, s.data(), s.size());
                else
                    out.string_field(f.number, s);
                break;
            }
            case Kind::int64: out.int64_field(f.number, checked(*static_cast<const std::int64_t*>(v), owner, f, holder)); break;
            case Kind::int32:
                out.int32_field(f.number, static_cast<std::int32_t>(
                                              checked(*static_cast<const std::int32_t*>(v), owner, f, holder)));
                break;
            case Kind::uint32: out.uint64_field(f.number, *static_cast<const std::uint32_t*>(v)); break;
            case Kind::uint64: out.uint64_field(f.number, *static_cast<const std::uint64_t*>(v)); break;
            case Kind::boolean: out.bool_field(f.number, *static_cast<const bool*>(v)); break;
            case Kind::enumeration: {
                std::int32_t n;  // the enum's bytes, read as its int32 underlying type
                std::memcpy(&n, v, sizeof n);
                out.int32_field(f.number, n);
                break;
            }
            case Kind::message: {
                const std::size_t body = out.begin_message(f.number);
                encode_message_to(out, *f.message, v, {owner.name, f.name});
                out.end_message(body);
                break;
            }
        }
    }
}

/// Appends the fields of `object`, described by `m`, to `out` (nested messages in place).
inline void encode_message_to(ProtoEncoder& out, const Message& m, const void* object, const Holder& holder) {
    for (const Field& f : m) {
        if (!f.bound) continue;
        if (!f.wraps) {
            encode_elements(out, m, f, f.elements, object, holder);
            continue;
        }
        const std::size_t start = out.size();
        const std::size_t body = out.begin_message(f.number);
        encode_elements(out, *f.message, *f.wraps, f.elements, object, {m.name, f.name});
        if (f.optional_member ? f.elements(object, 0) != nullptr : out.size() != body)
            out.end_message(body);
        else
            out.truncate(start);  // not written: an empty wrapped message of a member at its default
    }
}

/// The bytes of `object` as message `m`.
inline Bytes encode_message(const Message& m, const void* object, const Holder& holder) {
    ProtoEncoder out;
    encode_message_to(out, m, object, holder);
    return out.take();
}

}  // namespace schema_impl

}  // namespace proto
}  // namespace detail
WANDB_NAMESPACE_END
