// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// UTF-8 validation (RFC 3629): W&B stores names and captions as JSON strings, which must be
/// valid UTF-8; nlohmann::json would otherwise throw at dump time, far from the bad input.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The length (1-4) of the valid UTF-8 sequence starting at `pos`, or 0 if the bytes there do not
/// form one (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept;

/// The byte offset of the first byte that does not start a valid UTF-8 sequence, or nullopt.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept;

/// `text` with each maximal ill-formed part replaced by U+FFFD (EF BF BD), the replacement
/// Unicode recommends (§3.9, "U+FFFD substitution of maximal subparts") and Python's
/// `bytes.decode("utf-8", errors="replace")` makes: a stray Latin-1 byte such as 0xE9 becomes one
/// U+FFFD, so does a sequence cut short (E2 82), while each byte that can never start or continue
/// a sequence (C0, FF, a lone 80) becomes one U+FFFD of its own. Valid text is returned unchanged.
std::string replace_invalid_utf8(std::string_view text);

}  // namespace detail
WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "utf8-inl.hpp"
#endif
