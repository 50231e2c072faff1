// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// UTF-8 validation (RFC 3629): W&B stores names and captions as JSON strings, which must be
/// valid UTF-8; nlohmann::json would otherwise throw at dump time, far from the bad input.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The length (1-4) of the valid UTF-8 sequence starting at `pos`, or 0 if the bytes there do not
/// form one (overlong forms, surrogates and code points above U+10FFFF are invalid).
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept {
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

/// The byte offset of the first byte that does not start a valid UTF-8 sequence, or nullopt.
inline std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = utf8_sequence_length(text, i);
        if (len == 0) return i;
        i += len;
    }
    return std::nullopt;
}

}  // namespace detail
WANDB_NAMESPACE_END
