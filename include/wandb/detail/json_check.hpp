// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The one check every JSON value goes through where it enters the library (log values,
/// update_config, update_summary, OfflineRunOptions::config, Table cells): it must have a JSON
/// text W&B can read. Refused: a discarded value (what a failed `parse(..., nullptr, false)`
/// returns), a binary value (CBOR/MessagePack bytes; nlohmann would write `{"bytes":[...]}`),
/// a string or key that is not UTF-8, and nesting deeper than max_json_depth.
///
/// The walk is iterative (an explicit stack of positions), so a value nested 100,000 levels deep
/// is refused without deep recursion, and its memory is linear in the depth; the path to the bad
/// value is only built when there is one.

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "../error.hpp"
#include "../json.hpp"
#include "utf8.hpp"
#include "text.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The deepest nesting accepted: a scalar at top level is depth 0, `{"a": 1}` is depth 1. Real
/// configs and metrics nest a few levels; Python's json module (which the SDK and W&B's tools
/// read these values with) fails at about 1000 levels (its recursion limit), and the writers of
/// history, config.yaml and the summary recurse once per level.
inline constexpr std::size_t max_json_depth = 256;

/// Checks a JSON value as described in the file comment.
/// \param who  message prefix, e.g. "wandb::OfflineRun::log".
/// \param where  names the value, e.g. `value of "loss"` or `row 3, column "meta"`.
/// \throws ValidationError "<who>: <where>: a string at ["a"][0] is not valid UTF-8 (byte 0xe9 at
///         offset 3)", "... a discarded JSON value at ... has no JSON text", "... a binary JSON
///         value ...", or "... nests deeper than 256 levels (at depth 257)".
template <class BasicJson>
void check_json_value(const BasicJson& value, const char* who, const std::string& where) {
    struct Level {
        const BasicJson* container;
        typename BasicJson::const_iterator next;
    };
    std::vector<Level> stack;
    // The path to the value being looked at: ["key"] and [index] for each level on the stack.
    auto path = [&] {
        std::string out;
        for (const Level& level : stack) {
            auto it = level.next;
            --it;  // the child being visited
            if (level.container->is_object()) {
                out += "[" + detail::quoted(it.key()) + "]";
            } else {
                out += "[" + std::to_string(static_cast<std::size_t>(it - level.container->begin())) + "]";
            }
        }
        return out.empty() ? std::string() : " at " + out;
    };
    auto fail = [&](const std::string& subject, const std::string& at, const std::string& problem) {
        throw ValidationError(std::string(who) + ": " + where + ": " + subject + at + " " + problem);
    };
    auto utf8 = [&](const std::string& text, const char* subject, const std::string& at) {
        if (const auto bad = first_invalid_utf8(text)) {
            char byte[8];
            std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
            fail(subject, at, std::string("is not valid UTF-8 (byte ") + byte + " at offset " + std::to_string(*bad) + ")");
        }
    };
    const BasicJson* current = &value;
    while (true) {
        if (current) {
            switch (current->type()) {
                case BasicJson::value_t::string:
                    utf8(current->template get_ref<const typename BasicJson::string_t&>(), "a string", path());
                    break;
                case BasicJson::value_t::discarded:
                    fail("a discarded JSON value", path(), "has no JSON text (the result of a failed parse?)");
                    break;
                case BasicJson::value_t::binary:
                    fail("a binary JSON value", path(), "has no JSON text");
                    break;
                case BasicJson::value_t::object:
                case BasicJson::value_t::array:
                    if (stack.size() == max_json_depth)
                        fail("the value", "", "nests deeper than " + std::to_string(max_json_depth) + " levels (at depth " +
                                                  std::to_string(max_json_depth + 1) + ")");
                    if (!current->empty()) stack.push_back({current, current->begin()});
                    break;
                default: break;
            }
            current = nullptr;
        }
        // The next child of the innermost container with one left.
        while (!stack.empty() && stack.back().next == stack.back().container->end()) stack.pop_back();
        if (stack.empty()) return;
        Level& top = stack.back();
        if (top.container->is_object()) {
            const std::string key = top.next.key();
            ++top.next;
            utf8(key, "a key", path());
        } else {
            ++top.next;
        }
        auto it = top.next;
        current = &*--it;
    }
}

}  // namespace detail
WANDB_NAMESPACE_END
