// Fuzz target: config.yaml writing (detail/yaml.hpp). The input bytes are decoded into a config
// (a JSON object of every kind of value: any double bit pattern, any 64-bit integer, strings of
// any code points, nested objects and arrays), written with config_yaml, and the text is read
// back by a reader written here from YAML 1.1 and PyYAML's resolver rules for exactly the
// block layout config.yaml uses. It must give back the config exactly, and the text must be
// UTF-8 with no character PyYAML refuses or reads as a line break. (The reading by python3-yaml
// itself is tests/test_yaml.cpp, over a generated set; this target explores what that set misses.)
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <wandb/wandb.hpp>

#include "fuzz_support.hpp"

namespace {

using wandb::Json;

/// Reads the fuzzer's bytes as a config.
class Decoder {
public:
    Decoder(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}

    Json config() {
        Json j = Json::object();
        const int keys = byte() % 6;
        for (int i = 0; i < keys; ++i) j[string()] = value(5);
        return j;
    }

private:
    std::uint8_t byte() { return i_ < n_ ? p_[i_++] : 0; }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int k = 0; k < 8; ++k) v = v << 8 | byte();
        return v;
    }
    std::string string() {
        std::string s;
        int length = byte() % 10;
        const bool long_text = length == 9 && byte() % 4 == 0;  // past the 1024 characters of a simple key
        if (long_text) length = 990 + 4 * byte();
        for (int k = 0; k < length; ++k) {
            std::uint32_t cp = (long_text && k > 0) ? (s.size() % 3 == 0 ? 0xE9u : std::uint32_t('k')) : byte();
            switch (cp) {
                case 0xC1: cp = 0xFFFE; break;  // the non-characters, line separators, BOM, NEL, DEL
                case 0xC2: cp = 0x2028; break;
                case 0xC3: cp = 0xFEFF; break;
                case 0xC4: cp = 0x85; break;
                case 0xC5: cp = 0x7F; break;
                default:
                    if (cp >= 0xF0) cp = 0x10000 + (std::uint32_t(byte()) << 8 | byte()) * 16 + (cp & 0x0F);  // astral
                    else if (cp >= 0xC6) cp = (cp & 0x3F) << 8 | byte();  // up to U+3FFF
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // no surrogates in UTF-8
            if (cp > 0x10FFFF) cp = 0x10FFFF;
            if (cp < 0x80) {
                s += static_cast<char>(cp);
            } else if (cp < 0x800) {
                s += static_cast<char>(0xC0 | cp >> 6);
                s += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                s += static_cast<char>(0xE0 | cp >> 12);
                s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
                s += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
                s += static_cast<char>(0xF0 | cp >> 18);
                s += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
                s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
                s += static_cast<char>(0x80 | (cp & 0x3F));
            }
        }
        return s;
    }
    Json value(int depth) {
        switch (byte() % (depth > 0 ? 9 : 7)) {
            case 0: return nullptr;
            case 1: return byte() % 2 == 1;
            case 2: return static_cast<std::int64_t>(u64());
            case 3: return u64();
            case 4: {
                const std::uint64_t bits = u64();
                double d;
                std::memcpy(&d, &bits, sizeof d);
                return d;
            }
            case 5: return static_cast<double>(static_cast<std::int8_t>(byte())) / 8;  // short decimals
            case 6: return string();
            case 7: {
                Json o = Json::object();
                const int k = byte() % 4;
                for (int i = 0; i < k; ++i) o[string()] = value(depth - 1);
                return o;
            }
            default: {
                Json a = Json::array();
                const int k = byte() % 4;
                for (int i = 0; i < k; ++i) a.push_back(value(depth - 1));
                return a;
            }
        }
    }

    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t i_ = 0;
};

/// The code point at `i` of valid UTF-8 text, advancing `i`.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    const std::size_t len = wandb::detail::utf8_sequence_length(s, i);
    WANDB_FUZZ_CHECK(len > 0);
    const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + k])); };
    std::uint32_t cp = b(0);
    if (len == 2) cp = (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
    if (len == 3) cp = (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
    if (len == 4) cp = (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
    i += len;
    return cp;
}

/// Reads the block YAML config.yaml uses, resolving plain scalars as PyYAML's safe_load does.
class Reader {
public:
    explicit Reader(std::string_view text) : t_(text) {}

    Json document() {
        if (t_.empty()) return Json::object();
        Json j = block(0);
        WANDB_FUZZ_CHECK(at_ == t_.size());
        return j;
    }

private:
    /// The indentation of the line starting at at_ (which must start a line).
    std::size_t indent_here() const {
        std::size_t k = at_;
        while (k < t_.size() && t_[k] == ' ') ++k;
        return k - at_;
    }

    Json block(std::size_t indent) {
        WANDB_FUZZ_CHECK(at_ < t_.size() && indent_here() == indent);
        const bool sequence = t_[at_ + indent] == '-';
        Json j = sequence ? Json::array() : Json::object();
        while (at_ < t_.size() && indent_here() == indent) {
            at_ += indent;
            if (sequence) {
                WANDB_FUZZ_CHECK(t_[at_] == '-');
                ++at_;
                j.push_back(entry_value(indent));
            } else {
                WANDB_FUZZ_CHECK(t_[at_] != '-');
                const bool explicit_key = t_[at_] == '?';
                if (explicit_key) {
                    WANDB_FUZZ_CHECK(t_.substr(at_, 2) == "? ");
                    at_ += 2;
                }
                const std::size_t key_start = at_;
                std::string key = this->key();
                // YAML 1.1 (and PyYAML) limit a simple key to 1024 characters.
                std::size_t characters = 0;
                for (std::size_t k = key_start; k < at_; ++k) characters += (static_cast<unsigned char>(t_[k]) & 0xC0) != 0x80;
                WANDB_FUZZ_CHECK(explicit_key || characters < 1024);
                if (explicit_key) {
                    WANDB_FUZZ_CHECK(at_ < t_.size() && t_[at_] == '\n');
                    ++at_;
                    WANDB_FUZZ_CHECK(indent_here() == indent);
                    at_ += indent;
                }
                WANDB_FUZZ_CHECK(at_ < t_.size() && t_[at_] == ':');
                ++at_;
                WANDB_FUZZ_CHECK(!j.contains(key));  // no duplicate keys
                j[key] = entry_value(indent);
            }
        }
        WANDB_FUZZ_CHECK(at_ == t_.size() || indent_here() < indent);
        return j;
    }

    Json entry_value(std::size_t indent) {
        WANDB_FUZZ_CHECK(at_ < t_.size());
        if (t_[at_] == '\n') {
            ++at_;
            WANDB_FUZZ_CHECK(indent_here() == indent + 4);  // nesting adds exactly 4 spaces
            Json nested = block(indent + 4);
            WANDB_FUZZ_CHECK(!nested.empty());
            return nested;
        }
        WANDB_FUZZ_CHECK(t_[at_] == ' ');
        ++at_;
        Json v = scalar();
        WANDB_FUZZ_CHECK(at_ < t_.size() && t_[at_] == '\n');
        ++at_;
        return v;
    }

    /// YAML 1.1 words PyYAML resolves as booleans or null (resolver.py's lists).
    static bool pyyaml_bool_or_null(std::string_view w) {
        for (const char* word : {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
                                 "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", ""})
            if (w == word) return true;
        return false;
    }

    std::string key() {
        if (t_[at_] == '"') return quoted();
        const std::size_t start = at_;
        while (at_ < t_.size() && t_[at_] != ':' && t_[at_] != '\n') ++at_;
        const std::string_view plain = t_.substr(start, at_ - start);
        WANDB_FUZZ_CHECK(!plain.empty());
        const char c = plain[0];
        // Starting with a letter or '_', only bool and null words resolve to something else.
        WANDB_FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_');
        for (const char k : plain)
            WANDB_FUZZ_CHECK((k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') || (k >= '0' && k <= '9') || k == '_' ||
                             k == '-' || k == '.' || k == '/');
        WANDB_FUZZ_CHECK(!pyyaml_bool_or_null(plain));
        return std::string(plain);
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        WANDB_FUZZ_CHECK(false);
        return 0;
    }

    /// A double-quoted scalar on one line, with YAML's escapes.
    std::string quoted() {
        WANDB_FUZZ_CHECK(t_[at_] == '"');
        ++at_;
        std::string out;
        while (true) {
            WANDB_FUZZ_CHECK(at_ < t_.size() && t_[at_] != '\n');  // balanced on its line
            const char c = t_[at_];
            if (c == '"') {
                ++at_;
                return out;
            }
            if (c != '\\') {
                out += c;
                ++at_;
                continue;
            }
            WANDB_FUZZ_CHECK(at_ + 1 < t_.size());
            const char e = t_[at_ + 1];
            at_ += 2;
            if (e == 'n') out += '\n';
            else if (e == 't') out += '\t';
            else if (e == 'r') out += '\r';
            else if (e == '"' || e == '\\') out += e;
            else {
                WANDB_FUZZ_CHECK(e == 'u' && at_ + 4 <= t_.size());
                std::uint32_t cp = 0;
                for (int k = 0; k < 4; ++k) cp = cp << 4 | std::uint32_t(hex(t_[at_ + std::size_t(k)]));
                at_ += 4;
                if (cp < 0x80) {
                    out += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    out += static_cast<char>(0xC0 | cp >> 6);
                    out += static_cast<char>(0x80 | (cp & 0x3F));
                } else {
                    out += static_cast<char>(0xE0 | cp >> 12);
                    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
                    out += static_cast<char>(0x80 | (cp & 0x3F));
                }
            }
        }
    }

    Json scalar() {
        if (t_[at_] == '"') return quoted();
        const std::size_t start = at_;
        while (at_ < t_.size() && t_[at_] != '\n') ++at_;
        const std::string plain(t_.substr(start, at_ - start));
        if (plain == "null") return nullptr;
        if (plain == "true") return true;
        if (plain == "false") return false;
        if (plain == "{}") return Json::object();
        if (plain == "[]") return Json::array();
        if (plain == ".nan") return std::nan("");
        if (plain == ".inf") return HUGE_VAL;
        if (plain == "-.inf") return -HUGE_VAL;
        // PyYAML's decimal int: [-+]?(0|[1-9][0-9_]*); a leading 0 would be octal.
        const bool negative = plain[0] == '-';
        const std::string digits = plain.substr(negative ? 1 : 0);
        WANDB_FUZZ_CHECK(!digits.empty());
        if (digits.find_first_not_of("0123456789") == std::string::npos) {
            WANDB_FUZZ_CHECK(digits == "0" || digits[0] != '0');
            if (negative) return static_cast<std::int64_t>(std::strtoll(plain.c_str(), nullptr, 10));
            return static_cast<std::uint64_t>(std::strtoull(plain.c_str(), nullptr, 10));
        }
        // PyYAML's float: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)? (a '.' and a signed exponent).
        const std::size_t dot = digits.find('.');
        WANDB_FUZZ_CHECK(dot != std::string::npos && dot > 0);
        WANDB_FUZZ_CHECK(digits.substr(0, dot).find_first_not_of("0123456789") == std::string::npos);
        const std::size_t e = digits.find('e');
        const std::string fraction = digits.substr(dot + 1, e == std::string::npos ? std::string::npos : e - dot - 1);
        WANDB_FUZZ_CHECK(fraction.find_first_not_of("0123456789") == std::string::npos);
        if (e != std::string::npos) {
            WANDB_FUZZ_CHECK(e + 2 < digits.size() && (digits[e + 1] == '-' || digits[e + 1] == '+'));
            WANDB_FUZZ_CHECK(digits.substr(e + 2).find_first_not_of("0123456789") == std::string::npos);
        }
        return std::strtod(plain.c_str(), nullptr);
    }

    std::string_view t_;
    std::size_t at_ = 0;
};

/// Exact equality: integers by value, floats by bits (NaN equal to NaN), strings by bytes.
bool same(const Json& a, const Json& b) {
    if (a.is_number_float() || b.is_number_float()) {
        if (!a.is_number_float() || !b.is_number_float()) return false;
        const double x = a.get<double>(), y = b.get<double>();
        if (std::isnan(x) && std::isnan(y)) return true;
        return std::memcmp(&x, &y, sizeof x) == 0;
    }
    if (a.is_number_integer() && b.is_number_integer()) {
        if (a.is_number_unsigned() != b.is_number_unsigned() && (a.get<std::int64_t>() < 0 || b.get<std::int64_t>() < 0))
            return false;
        return a.get<std::uint64_t>() == b.get<std::uint64_t>();
    }
    if (a.type() != b.type()) return false;
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (auto it = a.begin(); it != a.end(); ++it)
            if (!b.contains(it.key()) || !same(it.value(), b[it.key()])) return false;
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same(a[i], b[i])) return false;
        return true;
    }
    return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Json config = Decoder(data, size).config();
    wandb::detail::check_json_value(config, "fuzz", "config");  // what the library accepts
    const std::string yaml = wandb::detail::config_yaml(config);
    // UTF-8, and no character PyYAML's reader refuses (NON_PRINTABLE) or reads as a line break.
    for (std::size_t i = 0; i < yaml.size();) {
        const std::uint32_t cp = next_code_point(yaml, i);
        const bool printable = cp == '\n' || (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
                               (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || cp >= 0x10000;
        WANDB_FUZZ_CHECK(printable && cp != 0x2028 && cp != 0x2029);
    }
    // Read back: {key: {"value": v}} for each key, keys sorted.
    const Json read = Reader(yaml).document();
    WANDB_FUZZ_CHECK(read.size() == config.size());
    std::string previous;
    bool first = true;
    for (auto it = read.begin(); it != read.end(); ++it) {
        WANDB_FUZZ_CHECK(first || previous < it.key());
        previous = it.key();
        first = false;
        WANDB_FUZZ_CHECK(it.value().is_object() && it.value().size() == 1 && it.value().contains("value"));
        WANDB_FUZZ_CHECK(config.contains(it.key()));
        WANDB_FUZZ_CHECK(same(it.value()["value"], config[it.key()]));
    }
    return 0;
}
