// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of utf8.hpp: UTF-8 validation and the replacement of invalid bytes.

#include "utf8.hpp"

#include <cstdint>

WANDB_NAMESPACE_BEGIN
namespace detail {

WANDB_IMAGEMASK_INLINE std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const std::size_t n = text.size();
    const std::uint8_t c = s[pos];
    if (c < 0x80) return 1;
    std::size_t len = 0;
    std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;  // no overlong
        if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;  // no overlong
        if (c == 0xF4) hi = 0x8F;  // not above U+10FFFF
    } else {
        return 0;
    }
    if (pos + 1 >= n || s[pos + 1] < lo || s[pos + 1] > hi) return 0;
    for (std::size_t k = 2; k < len; ++k)
        if (pos + k >= n || (s[pos + k] & 0xC0) != 0x80) return 0;
    return len;
}

WANDB_IMAGEMASK_INLINE std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = utf8_sequence_length(text, i);
        if (len == 0) return i;
        i += len;
    }
    return std::nullopt;
}

WANDB_IMAGEMASK_INLINE std::string replace_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        const std::size_t len = utf8_sequence_length(text, i);
        if (len > 0) {
            out.append(text.substr(i, len));
            i += len;
            continue;
        }
        // The maximal subpart: a valid lead byte followed by the continuation bytes that still fit.
        const std::uint8_t c = s[i];
        std::size_t want = 0;
        std::uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) want = 2;
        else if (c >= 0xE0 && c <= 0xEF) want = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        else if (c >= 0xF0 && c <= 0xF4) want = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        std::size_t take = 1;
        if (want > 0 && i + 1 < n && s[i + 1] >= lo && s[i + 1] <= hi) {
            take = 2;
            while (take < want && i + take < n && (s[i + take] & 0xC0) == 0x80) ++take;
        }
        out += "\xEF\xBF\xBD";
        i += take;
    }
    return out;
}

}  // namespace detail
WANDB_NAMESPACE_END
