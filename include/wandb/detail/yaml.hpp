// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `files/config.yaml` as the SDK writes it (top-level keys sorted, each `{value: ...}`, nested
/// mappings indented by 4), in YAML that PyYAML's `safe_load` (YAML 1.1, what W&B's tools read
/// it with) reads back to exactly the config:
/// - a key is plain only when it is letters, digits and `_ - . /`, starts with a letter or `_`,
///   and is none of YAML 1.1's boolean and null words (`yes`, `No`, `ON`, `null`, ...): those would
///   read back as booleans or null. Every other key, and every string value, is double-quoted;
/// - inside double quotes, `"` and `\` are escaped, and so is every character YAML may not hold
///   raw or would read as a line break: C0 controls, DEL, C1 controls, U+2028, U+2029, U+FEFF,
///   U+FFFE, U+FFFF;
/// - a float always has a `.` and a signed exponent (`1.0e-05`, `1.0e+16`, `-0.0`, `100.0`),
///   the digits being the shortest that read back exactly: PyYAML reads `1e-05` as a string;
///   NaN and infinities are `.nan`, `.inf`, `-.inf`;
/// - integers, true, false and null are as in JSON; empty objects and arrays are `{}` and `[]`;
/// - a key longer than 1000 characters as written is an explicit key (`? "..."` then `:` on the
///   next line): YAML 1.1 limits a simple key to 1024 characters, and PyYAML enforces it.

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "../json.hpp"
#include "utf8.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// True for the words YAML 1.1 reads as a boolean or null (any case, so `yEs` too: quoting more
/// than PyYAML needs costs nothing), plus `y` and `n`, booleans in the YAML 1.1 type repository.
inline bool yaml_reserved_word(std::string_view word) noexcept {
    static constexpr std::string_view words[] = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"};
    for (const std::string_view w : words) {
        if (w.size() != word.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < w.size(); ++i) {
            char c = word[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            same = same && c == w[i];
        }
        if (same) return true;
    }
    return false;
}

/// `text` as a YAML double-quoted scalar (see the file comment for what is escaped). `text`
/// must be valid UTF-8 (values are checked where they enter the library).
inline void append_yaml_quoted(std::string& out, std::string_view text) {
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = utf8_sequence_length(text, i);
        if (len == 0) len = 1;  // not reached for checked input; never loops
        std::uint32_t cp = c;
        if (len == 2) cp = (c & 0x1Fu) << 6 | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
        if (len == 3)
            cp = (c & 0x0Fu) << 12 | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6 |
                 (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
                   cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(text.substr(i, len));
        }
        i += len;
    }
    out += '"';
}

/// A mapping key: plain when PyYAML reads it back as the same string, else double-quoted.
inline void append_yaml_key_text(std::string& out, const std::string& key) {
    bool plain = !key.empty() && !yaml_reserved_word(key) &&
                 ((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z') || key[0] == '_');
    for (const char c : key)
        plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                          c == '-' || c == '.' || c == '/');
    if (plain) {
        out += key;
    } else {
        append_yaml_quoted(out, key);
    }
}

/// A float as PyYAML writes and reads one: shortest exact digits, with a '.' and a signed exponent.
inline void append_yaml_float(std::string& out, double d) {
    if (std::isnan(d)) {
        out += ".nan";
        return;
    }
    if (std::isinf(d)) {
        out += d > 0 ? ".inf" : "-.inf";
        return;
    }
    char buf[40];
    const auto end = std::to_chars(buf, buf + sizeof buf, d).ptr;
    std::string text(buf, end);
    const std::size_t e = text.find('e');
    std::string mantissa = text.substr(0, e);
    std::string exponent = e == std::string::npos ? "" : text.substr(e + 1);
    if (mantissa.find('.') == std::string::npos) mantissa += ".0";
    if (!exponent.empty() && exponent[0] != '-' && exponent[0] != '+') exponent = "+" + exponent;
    out += mantissa;
    if (!exponent.empty()) out += "e" + exponent;
}

/// Appends a scalar (or an empty container) as YAML.
inline void append_yaml_scalar(std::string& out, const nlohmann::json& v) {
    switch (v.type()) {
        case nlohmann::json::value_t::string: append_yaml_quoted(out, v.get_ref<const std::string&>()); return;
        case nlohmann::json::value_t::number_float: append_yaml_float(out, v.get<double>()); return;
        case nlohmann::json::value_t::object: out += "{}"; return;
        case nlohmann::json::value_t::array: out += "[]"; return;
        default: out += v.dump(); return;  // integers, true, false, null: the same words in YAML
    }
}

/// Appends `<pad><key>:` (or, for a key too long for a simple key, `<pad>? <key>` and
/// `<pad>:` on the next line).
inline void append_yaml_key(std::string& out, const std::string& key, const std::string& pad) {
    std::string text;
    append_yaml_key_text(text, key);
    std::size_t characters = 0;
    for (const char c : text) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    out += pad;
    if (characters > 1000) {
        out += "? ";
        out += text;
        out += '\n';
        out += pad;
    } else {
        out += text;
    }
    out += ':';
}

inline void append_yaml_block(std::string& out, const nlohmann::json& value, std::size_t indent);

/// Appends what follows a mapping key's `:` or a sequence item's `-`: a nested block on the next
/// lines at `indent`, or a scalar (or empty container) on the same line.
inline void append_yaml_entry_value(std::string& out, const nlohmann::json& v, std::size_t indent) {
    if ((v.is_object() || v.is_array()) && !v.empty()) {
        out += '\n';
        append_yaml_block(out, v, indent);
    } else {
        out += ' ';
        append_yaml_scalar(out, v);
        out += '\n';
    }
}

/// Appends a non-empty mapping or sequence as a YAML block at `indent` spaces; nesting adds 4.
/// Recursion is one level per JSON level, bounded by max_json_depth where values enter.
inline void append_yaml_block(std::string& out, const nlohmann::json& value, std::size_t indent) {
    const std::string pad(indent, ' ');
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            append_yaml_key(out, it.key(), pad);
            append_yaml_entry_value(out, it.value(), indent + 4);
        }
    } else {
        for (const nlohmann::json& v : value) {
            out += pad;
            out += '-';
            append_yaml_entry_value(out, v, indent + 4);
        }
    }
}

/// config.yaml as W&B writes it: every top-level key maps to `{value: ...}`, keys sorted (at
/// every level, as PyYAML's dump sorts them).
inline std::string config_yaml(const Json& config) {
    const nlohmann::json sorted = config;  // std::map ordering sorts the keys at every level
    std::string out;
    for (auto it = sorted.begin(); it != sorted.end(); ++it) {
        append_yaml_key(out, it.key(), "");
        out += "\n    value:";
        append_yaml_entry_value(out, it.value(), 8);
    }
    return out;
}

}  // namespace detail
WANDB_NAMESPACE_END
