// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of text.hpp: quoting, numbers as text, and the UTF-8 and name checks.

#include "text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

WANDB_NAMESPACE_BEGIN
namespace detail {

WANDB_IMAGEMASK_INLINE std::string quoted(std::string_view text) {
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

WANDB_IMAGEMASK_INLINE std::string number_text(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[32];
    const auto result = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, result.ptr);
}

WANDB_IMAGEMASK_INLINE void require_utf8(std::string_view text, const char* who, const std::string& what) {
    if (const auto bad = first_invalid_utf8(text)) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
        throw ValidationError(std::string(who) + ": " + what + " is not valid UTF-8 (byte " + byte +
                              " at offset " + std::to_string(*bad) + ")");
    }
}

WANDB_IMAGEMASK_INLINE void require_name(std::string_view text, const char* who, const std::string& what) {
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
