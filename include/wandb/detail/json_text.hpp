// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Compact JSON text as the SDK writes `value_json` and its media JSON files: no spaces, keys in
/// insertion order, UTF-8 as is, and non-finite floats as the bare tokens `NaN`, `Infinity` and
/// `-Infinity` (which W&B reads back), where nlohmann::json would write `null` and so hide that a
/// loss diverged.

#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include "../json.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

namespace json_text_impl {

/// Whether nlohmann's dump() writes `s` as it is between quotes (ensure_ascii off): every byte
/// printable ASCII (0x20..0x7E) other than '"' and '\\'. Anything else (escapes, UTF-8, which
/// dump() also validates) goes through dump().
inline bool plain(const std::string& s) noexcept {
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return false;
    }
    return true;
}

/// Appends `s` as a JSON string, as Json(s).dump() writes it.
inline void append_string(std::string& out, const std::string& s) {
    if (plain(s)) {
        out += '"';
        out += s;
        out += '"';
    } else {
        out += Json(s).dump();
    }
}

/// Appends the decimal text of an integer, as dump() writes it.
template <class Integer>
void append_integer(std::string& out, Integer v) {
    char buffer[24];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, static_cast<std::size_t>(r.ptr - buffer));
}

/// Appends a finite double as dump() writes it: nlohmann's own shortest round-trip formatting
/// (the serializer calls exactly this for IEEE doubles), without a serializer and a string.
inline void append_double(std::string& out, double v) {
    char buffer[64];  // the serializer's number buffer
    const char* end = ::nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, static_cast<std::size_t>(end - buffer));
}

}  // namespace json_text_impl

/// Appends the compact text of `value` to `out`.
inline void append_json_text(std::string& out, const Json& value) {
    static_assert(std::numeric_limits<Json::number_float_t>::is_iec559 &&
                      std::numeric_limits<Json::number_float_t>::digits == 53,
                  "dump() formats IEEE doubles with nlohmann::detail::to_chars");
    switch (value.type()) {
        case Json::value_t::object: {
            out += '{';
            bool first = true;
            for (auto it = value.begin(); it != value.end(); ++it) {
                if (!first) out += ',';
                first = false;
                json_text_impl::append_string(out, it.key());
                out += ':';
                append_json_text(out, it.value());
            }
            out += '}';
            return;
        }
        case Json::value_t::array: {
            out += '[';
            bool first = true;
            for (const Json& element : value) {
                if (!first) out += ',';
                first = false;
                append_json_text(out, element);
            }
            out += ']';
            return;
        }
        case Json::value_t::number_float: {
            const double v = value.get<double>();
            if (std::isnan(v)) {
                out += "NaN";
            } else if (std::isinf(v)) {
                out += v > 0 ? "Infinity" : "-Infinity";
            } else {
                json_text_impl::append_double(out, v);
            }
            return;
        }
        case Json::value_t::number_integer:
            json_text_impl::append_integer(out, value.get<Json::number_integer_t>());
            return;
        case Json::value_t::number_unsigned:
            json_text_impl::append_integer(out, value.get<Json::number_unsigned_t>());
            return;
        case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
        case Json::value_t::null: out += "null"; return;
        case Json::value_t::string:
            json_text_impl::append_string(out, value.get_ref<const Json::string_t&>());
            return;
        default: out += value.dump(); return;
    }
}

/// The compact text of `value`, non-finite numbers as NaN/Infinity/-Infinity.
inline std::string json_text(const Json& value) {
    std::string out;
    append_json_text(out, value);
    return out;
}

}  // namespace detail
WANDB_NAMESPACE_END
