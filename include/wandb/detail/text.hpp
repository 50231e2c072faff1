// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Small text helpers for error messages: quoting, shapes, and the checks every name and caption
/// goes through.

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "../error.hpp"
#include "utf8.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// `text` in double quotes, with control characters, quotes, backslashes and invalid UTF-8 bytes
/// escaped, so a message can always show the offending input.
inline std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t len = utf8_sequence_length(text, i);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7F || len == 0) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out.append(text.substr(i, len));
            i += len;
            continue;
        }
        ++i;
    }
    return out + "\"";
}

/// An overload set of lambdas, for std::visit over a variant: a case not handled fails to compile.
template <class... Cases>
struct overloaded : Cases... {
    using Cases::operator()...;
};
template <class... Cases>
overloaded(Cases...) -> overloaded<Cases...>;

/// A number as JSON would write it (shortest form that reads back exactly), or nan/inf/-inf.
inline std::string number_text(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[32];
    const auto result = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, result.ptr);
}

/// A shape as numpy prints it: "(100, 100, 3)".
template <class Shape>
std::string shape_string(const Shape& shape) {
    std::string out = "(";
    bool first = true;
    for (auto extent : shape) {
        if (!first) out += ", ";
        out += std::to_string(extent);
        first = false;
    }
    if (shape.size() == 1) out += ",";
    return out + ")";
}

/// Checks that text is valid UTF-8 (empty is allowed).
/// \param who  the message prefix, e.g. "wandb::Image"; \param what  e.g. "caption".
/// \throws ValidationError naming `what` and the first bad byte.
inline void require_utf8(std::string_view text, const char* who, const std::string& what) {
    if (const auto bad = first_invalid_utf8(text)) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
        throw ValidationError(std::string(who) + ": " + what + " is not valid UTF-8 (byte " + byte +
                              " at offset " + std::to_string(*bad) + ")");
    }
}

/// Checks that a user-given name (a key, a class or column name, a tag) is non-empty valid UTF-8
/// without control characters (U+0000..U+001F, U+007F), as history keys must be.
/// \param who  the message prefix, e.g. "wandb::ImageMask"; \param what  e.g. "class label 3 name".
/// \throws ValidationError naming `what`, and the first bad byte or the control character's offset.
inline void require_name(std::string_view text, const char* who, const std::string& what) {
    if (text.empty()) throw ValidationError(std::string(who) + ": " + what + " is empty");
    require_utf8(text, who, what);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F)
            throw ValidationError(std::string(who) + ": " + what + " " + quoted(text) +
                                  " holds a control character at byte " + std::to_string(i));
    }
}

}  // namespace detail
WANDB_NAMESPACE_END
