// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// JSON text byte for byte as the W&B SDK writes it, in its two dialects:
/// - `dump_python_json`: CPython's `json.dumps(value, sort_keys=True)`, used for every JSON member
///   of an artifact (`<key>.table.json`, `*.classes.json`): keys sorted by code point, `", "` and
///   `": "` separators, ensure_ascii (every character outside 0x20..0x7E as `\uXXXX`, surrogate
///   pairs above U+FFFF), floats as Python's `repr` (`0.1`, `1e-05`, `1e+16`, `100.0`), NaN and
///   infinities as `NaN`, `Infinity`, `-Infinity`.
/// - `dump_run_json`: `pydantic_core.to_json`, which the SDK's `json_util.dump` uses for run media
///   files (the run-side `.table.json`): compact, keys in insertion order, UTF-8 written as is,
///   serde_json escapes, floats in ryu's shortest form with a signed exponent (`0.00001`, `1e-6`,
///   `1e+16`, `100.0`), `NaN`, `Infinity`, `-Infinity`. Checked against pydantic_core 2.46.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "../json.hpp"
#include "utf8.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// A finite double split into its shortest round-trip decimal digits and the power of ten of
/// the first digit: v = ±d1.d2d3... x 10^exponent.
struct ShortestDecimal {
    bool negative = false;
    std::string digits;  ///< at least one digit, no leading zeros (except the single "0" of zero)
    int exponent = 0;
};

/// Shortest digits of a finite double (std::to_chars, which round-trips like CPython's repr).
inline ShortestDecimal shortest_decimal(double v) {
    char buf[64];
    const auto result = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    ShortestDecimal d;
    const char* p = buf;
    if (*p == '-') {
        d.negative = true;
        ++p;
    }
    for (; p < result.ptr && *p != 'e'; ++p)
        if (*p != '.') d.digits += *p;
    if (p < result.ptr) {  // "e+16", "e-05": parse exactly what to_chars wrote (no NUL follows it)
        const char* digits = p + 1;
        if (digits < result.ptr && *digits == '+') ++digits;
        std::from_chars(digits, result.ptr, d.exponent);
    }
    return d;
}

/// A double as CPython's `repr(float)`: fixed notation for exponents -4..15 (always with a
/// fraction: "100.0"), otherwise "d.ddde+XX" with at least two exponent digits ("1e-05", "1e+16").
/// NaN and infinities as `json.dumps` writes them: "NaN", "Infinity", "-Infinity".
inline std::string python_float_repr(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    const ShortestDecimal d = shortest_decimal(v);
    std::string out = d.negative ? "-" : "";
    const int n = static_cast<int>(d.digits.size());
    const int e = d.exponent;
    if (e >= -4 && e < 16) {
        if (e >= 0) {
            if (n <= e + 1) {
                out += d.digits;
                out.append(static_cast<std::size_t>(e + 1 - n), '0');
                out += ".0";
            } else {
                out += d.digits.substr(0, static_cast<std::size_t>(e + 1));
                out += '.';
                out += d.digits.substr(static_cast<std::size_t>(e + 1));
            }
        } else {
            out += "0.";
            out.append(static_cast<std::size_t>(-e - 1), '0');
            out += d.digits;
        }
        return out;
    }
    out += d.digits[0];
    if (n > 1) {
        out += '.';
        out += d.digits.substr(1);
    }
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    return out + exp;
}

/// A double as pydantic_core writes it (ryu's shortest form): integers up to 16 digits as
/// "1000.0", fractions down to 1e-5 as "0.00001", otherwise "1e-6", "1.5e+300", "1e+16".
inline std::string pydantic_float_repr(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    const ShortestDecimal d = shortest_decimal(v);
    std::string out = d.negative ? "-" : "";
    const int n = static_cast<int>(d.digits.size());
    const int kk = d.exponent + 1;  // 10^(kk-1) <= |v| < 10^kk
    const int k = kk - n;           // |v| = digits x 10^k
    if (k >= 0 && kk <= 16) {
        out += d.digits;
        out.append(static_cast<std::size_t>(k), '0');
        out += ".0";
    } else if (kk > 0 && kk <= 16) {
        out += d.digits.substr(0, static_cast<std::size_t>(kk));
        out += '.';
        out += d.digits.substr(static_cast<std::size_t>(kk));
    } else if (kk > -5 && kk <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-kk), '0');
        out += d.digits;
    } else {
        out += d.digits[0];
        if (n > 1) {
            out += '.';
            out += d.digits.substr(1);
        }
        out += 'e';
        out += kk - 1 < 0 ? '-' : '+';
        out += std::to_string(kk - 1 < 0 ? 1 - kk : kk - 1);
    }
    return out;
}

/// Decodes the code point of the valid UTF-8 sequence of `len` bytes at `p`.
inline std::uint32_t decode_utf8(const unsigned char* p, std::size_t len) noexcept {
    switch (len) {
        case 1: return p[0];
        case 2: return (std::uint32_t(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        case 3: return (std::uint32_t(p[0] & 0x0F) << 12) | (std::uint32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        default:
            return (std::uint32_t(p[0] & 0x07) << 18) | (std::uint32_t(p[1] & 0x3F) << 12) |
                   (std::uint32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    }
}

/// Appends `\uXXXX` (lower-case hex).
inline void append_u_escape(std::string& out, std::uint32_t unit) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(unit));
    out += buf;
}

/// A JSON string as `json.dumps(ensure_ascii=True)` writes it.
/// \throws ValidationError if the text is not valid UTF-8 (Python strings always are).
inline void append_python_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        switch (c) {
            case '"': out += "\\\""; ++i; continue;
            case '\\': out += "\\\\"; ++i; continue;
            case '\n': out += "\\n"; ++i; continue;
            case '\r': out += "\\r"; ++i; continue;
            case '\t': out += "\\t"; ++i; continue;
            case '\b': out += "\\b"; ++i; continue;
            case '\f': out += "\\f"; ++i; continue;
            default: break;
        }
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        const std::size_t len = utf8_sequence_length(text, i);
        if (len == 0)
            throw ValidationError("wandb::detail::dump_python_json: a string is not valid UTF-8 (byte offset " +
                                  std::to_string(i) + ")");
        const std::uint32_t cp = decode_utf8(reinterpret_cast<const unsigned char*>(text.data()) + i, len);
        if (cp >= 0x10000) {
            const std::uint32_t v = cp - 0x10000;
            append_u_escape(out, 0xD800 + (v >> 10));
            append_u_escape(out, 0xDC00 + (v & 0x3FF));
        } else {
            append_u_escape(out, cp);
        }
        i += len;
    }
    out += '"';
}

/// A JSON string as pydantic_core (serde_json) writes it: UTF-8 as is; `"`, `\`, \b \f \n \r \t
/// escaped, other control characters below 0x20 as `\u00XX`.
/// \throws ValidationError if the text is not valid UTF-8.
inline void append_run_json_string(std::string& out, std::string_view text) {
    if (const auto bad = first_invalid_utf8(text))
        throw ValidationError("wandb::detail::dump_run_json: a string is not valid UTF-8 (byte offset " +
                              std::to_string(*bad) + ")");
    out += '"';
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    append_u_escape(out, c);
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

/// `json.dumps(sort_keys=True)`: `", "` and `": "` separators, keys sorted (Python sorts str
/// keys by code point, which is UTF-8 byte order), ensure_ascii strings, `repr` floats.
struct PythonJsonDialect {
    static constexpr const char* function = "dump_python_json";
    static constexpr std::string_view item_separator = ", ";
    static constexpr std::string_view key_separator = ": ";
    static constexpr bool sort_keys = true;
    static std::string number(double v) { return python_float_repr(v); }
    static void string(std::string& out, std::string_view text) { append_python_json_string(out, text); }
};

/// `pydantic_core.to_json`: compact, keys in insertion order, UTF-8 strings, ryu floats.
struct RunJsonDialect {
    static constexpr const char* function = "dump_run_json";
    static constexpr std::string_view item_separator = ",";
    static constexpr std::string_view key_separator = ":";
    static constexpr bool sort_keys = false;
    static std::string number(double v) { return pydantic_float_repr(v); }
    static void string(std::string& out, std::string_view text) { append_run_json_string(out, text); }
};

/// Appends the text of `j` in `Dialect` (PythonJsonDialect or RunJsonDialect).
template <class Dialect, class BasicJson>
void append_json_in(std::string& out, const BasicJson& j) {
    using value_t = typename BasicJson::value_t;
    switch (j.type()) {
        case value_t::null: out += "null"; return;
        case value_t::boolean: out += j.template get<bool>() ? "true" : "false"; return;
        case value_t::number_integer: out += std::to_string(j.template get<std::int64_t>()); return;
        case value_t::number_unsigned: out += std::to_string(j.template get<std::uint64_t>()); return;
        case value_t::number_float: out += Dialect::number(j.template get<double>()); return;
        case value_t::string: Dialect::string(out, j.template get_ref<const std::string&>()); return;
        case value_t::array: {
            out += '[';
            bool first = true;
            for (const auto& item : j) {
                if (!first) out += Dialect::item_separator;
                first = false;
                append_json_in<Dialect>(out, item);
            }
            out += ']';
            return;
        }
        case value_t::object: {
            std::vector<std::pair<const std::string*, const BasicJson*>> items;
            items.reserve(j.size());
            for (auto it = j.begin(); it != j.end(); ++it) items.emplace_back(&it.key(), &it.value());
            if constexpr (Dialect::sort_keys)
                std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
            out += '{';
            bool first = true;
            for (const auto& [key, value] : items) {
                if (!first) out += Dialect::item_separator;
                first = false;
                Dialect::string(out, *key);
                out += Dialect::key_separator;
                append_json_in<Dialect>(out, *value);
            }
            out += '}';
            return;
        }
        default:
            throw ValidationError(std::string("wandb::detail::") + Dialect::function +
                                  ": binary and discarded values have no JSON form");
    }
}

/// `json.dumps(value, sort_keys=True)` of a JSON value, byte for byte.
/// \throws ValidationError for a string that is not UTF-8, or a binary/discarded value.
template <class BasicJson>
std::string dump_python_json(const BasicJson& j) {
    std::string out;
    append_json_in<PythonJsonDialect>(out, j);
    return out;
}

/// `pydantic_core.to_json(value)` of a JSON value (the SDK's run media files), byte for byte.
/// \throws ValidationError for a string that is not UTF-8, or a binary/discarded value.
template <class BasicJson>
std::string dump_run_json(const BasicJson& j) {
    std::string out;
    append_json_in<RunJsonDialect>(out, j);
    return out;
}

}  // namespace detail
WANDB_NAMESPACE_END
