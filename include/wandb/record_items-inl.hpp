// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of record_items.hpp: the reader of W&B's extended JSON (detail::ValueJsonParser)
/// and the reassembly of a record's items.

#include "record_items.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

WANDB_NAMESPACE_BEGIN

namespace detail {

/// A recursive-descent reader of W&B's extended JSON. Strings and numbers are handed to
/// nlohmann::json token by token (so escapes and number forms follow the JSON standard); the
/// structure and the three non-finite tokens are read here.
class ValueJsonParser {
public:
    explicit ValueJsonParser(std::string_view text) : s_(text) {}

    Json parse() {
        Json v = value(0);
        skip_space();
        if (i_ != s_.size()) fail("unexpected text after the value");
        return v;
    }

private:
    static constexpr int max_depth = 512;  // a nesting bomb must not exhaust the stack

    [[noreturn]] void fail(const std::string& what) const {
        throw FormatError("wandb::parse_value_json: " + what + " at byte " + std::to_string(i_) + " of " +
                          std::to_string(s_.size()));
    }
    void skip_space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    bool take(std::string_view word) {
        if (s_.compare(i_, word.size(), word) != 0) return false;
        i_ += word.size();
        return true;
    }
    void expect(char c, const char* what) {
        skip_space();
        if (i_ >= s_.size() || s_[i_] != c) fail(std::string("expected ") + what);
        ++i_;
    }

    std::string string_token() {
        const std::size_t start = i_++;  // at the opening quote
        while (i_ < s_.size() && s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
        if (i_ >= s_.size()) {
            i_ = start;
            fail("unterminated string");
        }
        ++i_;
        return standard(s_.substr(start, i_ - start), start).get<std::string>();
    }

    Json standard(std::string_view token, std::size_t at) {
        try {
            return Json::parse(token.begin(), token.end());
        } catch (const Json::exception&) {  // parse_error, or out_of_range for a number like 1e400
            i_ = at;
            fail("invalid JSON token \"" + std::string(token.substr(0, 32)) + "\"");
        }
    }

    Json value(int depth) {
        if (depth > max_depth) fail("values nested deeper than " + std::to_string(max_depth) + " levels");
        skip_space();
        if (i_ >= s_.size()) fail("unexpected end of the text");
        const char c = s_[i_];
        if (c == '{') {
            ++i_;
            Json object = Json::object();
            skip_space();
            if (i_ < s_.size() && s_[i_] == '}') {
                ++i_;
                return object;
            }
            for (;;) {
                skip_space();
                if (i_ >= s_.size() || s_[i_] != '"') fail("expected a string key");
                std::string key = string_token();
                expect(':', "':'");
                object[key] = value(depth + 1);  // a repeated key: the last value wins, as in Python
                skip_space();
                if (i_ < s_.size() && s_[i_] == ',') {
                    ++i_;
                    continue;
                }
                expect('}', "',' or '}'");
                return object;
            }
        }
        if (c == '[') {
            ++i_;
            Json array = Json::array();
            skip_space();
            if (i_ < s_.size() && s_[i_] == ']') {
                ++i_;
                return array;
            }
            for (;;) {
                array.push_back(value(depth + 1));
                skip_space();
                if (i_ < s_.size() && s_[i_] == ',') {
                    ++i_;
                    continue;
                }
                expect(']', "',' or ']'");
                return array;
            }
        }
        if (c == '"') return string_token();
        if (take("NaN")) return std::numeric_limits<double>::quiet_NaN();
        if (take("Infinity")) return std::numeric_limits<double>::infinity();
        if (take("-Infinity")) return -std::numeric_limits<double>::infinity();
        if (take("true")) return true;
        if (take("false")) return false;
        if (take("null")) return nullptr;
        if (c == '-' || (c >= '0' && c <= '9')) {
            const std::size_t start = i_;
            while (i_ < s_.size() && (std::string_view("0123456789+-.eE").find(s_[i_]) != std::string_view::npos)) ++i_;
            return standard(s_.substr(start, i_ - start), start);
        }
        fail(std::string("unexpected character '") + c + "'");
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace detail

WANDB_IMAGEMASK_INLINE Json parse_value_json(std::string_view text) { return detail::ValueJsonParser(text).parse(); }

WANDB_IMAGEMASK_INLINE Json items_to_object(const Json& items) {
    constexpr const char* who = "wandb::items_to_object: ";
    if (!items.is_array()) throw FormatError(std::string(who) + "the items are not an array but " + items.type_name());
    Json out = Json::object();
    std::size_t index = 0;
    for (const Json& item : items) {
        const std::string at = "item " + std::to_string(index++);
        if (!item.is_object()) throw FormatError(who + at + " is not an object");
        const Json* nested = item.contains("nested_key") ? &item["nested_key"] : nullptr;
        const bool has_nested = nested && nested->is_array() && !nested->empty();
        const bool has_key = item.contains("key") && item["key"].is_string();
        if (!has_nested && !has_key) throw FormatError(who + at + " has neither key nor nested_key");
        const Json* text = item.contains("value_json") ? &item["value_json"] : nullptr;
        Json value;
        try {
            value = parse_value_json(text && text->is_string() ? text->get_ref<const std::string&>() : "");
        } catch (const FormatError& e) {
            throw FormatError(who + at + ": " + e.what());
        }
        Json* node = &out;
        if (has_nested) {
            for (std::size_t k = 0; k < nested->size(); ++k) {
                if (!(*nested)[k].is_string()) throw FormatError(who + at + " has a nested_key label that is not a string");
                if (!node->is_object()) *node = Json::object();
                node = &(*node)[(*nested)[k].get_ref<const std::string&>()];
            }
        } else {
            node = &out[item["key"].get_ref<const std::string&>()];
        }
        *node = std::move(value);
    }
    return out;
}

WANDB_NAMESPACE_END
