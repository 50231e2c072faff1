// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Small text helpers for error messages: quoting, shapes, and the checks every name and caption
/// goes through.

#include <cstddef>
#include <string>
#include <string_view>

#include "../error.hpp"
#include "utf8.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// `text` in double quotes, with control characters, quotes, backslashes and invalid UTF-8 bytes
/// escaped, so a message can always show the offending input.
std::string quoted(std::string_view text);

/// An overload set of lambdas, for std::visit over a variant: a case not handled fails to compile.
template <class... Cases>
struct overloaded : Cases... {
    using Cases::operator()...;
};
template <class... Cases>
overloaded(Cases...) -> overloaded<Cases...>;

/// A number as JSON would write it (shortest form that reads back exactly), or nan/inf/-inf.
std::string number_text(double v);

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
void require_utf8(std::string_view text, const char* who, const std::string& what);

/// Checks that a user-given name (a key, a class or column name, a tag) is non-empty valid UTF-8
/// without control characters (U+0000..U+001F, U+007F), as history keys must be.
/// \param who  the message prefix, e.g. "wandb::ImageMask"; \param what  e.g. "class label 3 name".
/// \throws ValidationError naming `what`, and the first bad byte or the control character's offset.
void require_name(std::string_view text, const char* who, const std::string& what);

}  // namespace detail
WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "text-inl.hpp"
#endif
