// config.yaml (detail/yaml.hpp): exact text for the cases YAML 1.1 reads differently from JSON,
// and a round trip over some 2,000 generated configs read back by Debian's python3-yaml
// `safe_load` (tests/tools/check_config_yaml.py), which must return exactly the config: keys and
// strings that look like booleans, nulls, numbers, dates, comments or YAML syntax, control and
// non-ASCII characters, floats such as 1e-05, 1e+16, -0.0, NaN and infinities, 64-bit integers.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <wandb/detail/yaml.hpp>
#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_yaml {

using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

/// Keys and strings that YAML 1.1 (PyYAML) would read as something else if written plain, or
/// that hold characters YAML may not carry raw.
const std::vector<std::string>& tricky_strings() {
    static const std::vector<std::string> strings = {
        "ON", "on", "On", "oN", "OFF", "off", "NO", "no", "No", "yes", "Yes", "YES", "y", "Y", "n", "N", "true",
        "True", "FALSE", "null", "Null", "NULL", "~", "", " ", "-", "- x", "--", "---", "...", ": x", "a: b", "a:",
        "#", "# c", "a #b", "a#b", "?", "? x", "|", ">", "!", "!tag", "&a", "*a", "%x", "@x", "`x", "'q'", "\"dq\"",
        "[a]", "{a: 1}", "a, b", "<<", "=", "1e-05", "1e+16", "1E5", "0x1F", "0o17", "017", "0b101", "1_000",
        "+1", "-1", ".5", "5.", "1.", "-.inf", ".inf", ".Inf", ".NaN", ".nan", "1:20", "1:20:30.5", "2024-01-01",
        "2024-01-01 10:00:00", "2024-01-01T10:00:00Z", " lead", "trail ", "a\nb", "\n", "a\tb", "\r\n", "a\\b",
        "\\", "\"", "'", std::string("a\0b", 3), "\x01", "\x1f", "\x7f", "\xc2\x80", "\xc2\x85", "\xc2\x9f",
        "\xc2\xa0", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xef\xbf\xbd",
        "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "a/b", "a.b", "_x",
        "x-y", "lr", "learning_rate", "model.layers", "x y", "\t", "a\x0b" "b", "\x1b[31m",
    };
    return strings;
}

/// Numbers whose YAML text is easy to get wrong.
std::vector<wandb::Json> tricky_numbers() {
    const double inf = std::numeric_limits<double>::infinity();
    return {0, -1, 1, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
            std::numeric_limits<std::uint64_t>::max(), 1e-05, 1e+16, -0.0, 0.0, 100.0, 0.1, 5e-324,
            std::numeric_limits<double>::max(), std::numeric_limits<double>::min(), 1.5, -2.5e-300, 123456789.125,
            1e21, 1e22, 12345678901234567890.0, std::nan(""), inf, -inf, 3.0, -7.0, 2.5e-5, true, false, nullptr};
}

/// A random UTF-8 string of 0..12 code points from every range: ASCII, controls, YAML
/// indicators, C1 controls, line separators, the BOM, CJK, astral characters.
std::string random_string(std::mt19937_64& random) {
    static const std::uint32_t pool[] = {'a', 'Z', '0', '9', ' ', ':', '#', '-', '?', '\'', '"', '\\', '\n', '\t', 0,
                                         0x1F, 0x7F, 0x80, 0x85, 0x9F, 0xA0, 0xE9, 0x2028, 0x2029, 0xFEFF, 0xFFFE,
                                         0xFFFF, 0xFFFD, 0x65E5, 0x1F600, 0x10FFFF, '.', ',', '[', '{', '&', '*', '!'};
    std::string out;
    const int n = std::uniform_int_distribution<int>(0, 12)(random);
    for (int i = 0; i < n; ++i) {
        std::uint32_t cp = pool[std::uniform_int_distribution<std::size_t>(0, std::size(pool) - 1)(random)];
        if (cp == 'a') cp = std::uniform_int_distribution<std::uint32_t>(0x20, 0x7E)(random);  // any printable ASCII
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | cp >> 6);
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | cp >> 12);
            out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | cp >> 18);
            out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
            out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    return out;
}

/// A random JSON value: scalars of every kind (any double bit pattern, any int64), strings, and
/// objects and arrays nested up to `depth` more levels.
wandb::Json random_value(std::mt19937_64& random, int depth) {
    switch (std::uniform_int_distribution<int>(0, depth > 0 ? 9 : 6)(random)) {
        case 0: {
            std::uint64_t bits = random();
            double d;
            std::memcpy(&d, &bits, sizeof d);
            return d;
        }
        case 1: return static_cast<std::int64_t>(random());
        case 2: return std::uniform_real_distribution<double>(-10, 10)(random);
        case 3: return tricky_strings()[random() % tricky_strings().size()];
        case 4: return random_string(random);
        case 5: return tricky_numbers()[random() % tricky_numbers().size()];
        case 6: return random() % 2 == 0;
        case 7:
        case 8: {
            wandb::Json object = wandb::Json::object();
            const int n = std::uniform_int_distribution<int>(0, 4)(random);
            for (int i = 0; i < n; ++i)
                object[random() % 2 ? tricky_strings()[random() % tricky_strings().size()] : random_string(random)] =
                    random_value(random, depth - 1);
            return object;
        }
        default: {
            wandb::Json array = wandb::Json::array();
            const int n = std::uniform_int_distribution<int>(0, 4)(random);
            for (int i = 0; i < n; ++i) array.push_back(random_value(random, depth - 1));
            return array;
        }
    }
}

/// Runs the PyYAML checker over the case files in `dir`; returns its output.
std::string python_check(const fs::path& dir) {
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const std::string command = python + " " + WANDB_TEST_SOURCE_DIR "/tests/tools/check_config_yaml.py " + dir.string() + " 2>&1";
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
        const int status = ::pclose(pipe);
        if (status != 0) out += "[exit status " + std::to_string(status) + "]";
    } else {
        out = "cannot run " + command;
    }
    return out;
}

void write_case(const fs::path& dir, std::size_t n, const wandb::Json& config) {
    wandb_test::write_text(dir / ("case_" + std::to_string(n) + ".yaml"), wandb::detail::config_yaml(config));
    wandb_test::write_text(dir / ("case_" + std::to_string(n) + ".json"), wandb::detail::json_text(config));
}

}  // namespace

TEST_CASE("config.yaml quotes keys YAML reads as booleans or null and writes floats PyYAML reads as floats",
          "[yaml]") {
    wandb::Json config = wandb::Json::object();
    config["ON"] = 1;
    config["no"] = "yes";
    config["n"] = "null";
    config["lr"] = 1e-05;
    config["big"] = 1e16;
    config["neg"] = -0.0;
    config["whole"] = 100.0;
    config["nan"] = std::nan("");
    config["inf"] = -std::numeric_limits<double>::infinity();
    config["none"] = nullptr;
    config["hex"] = "0x1F";
    config["2024-01-01"] = "2024-01-01";
    config["a: b"] = ": x";
    config["esc"] = "tab\there\nline \x7f \xc2\x85 \xe2\x80\xa8 \"q\" \\";
    config["nested"] = {{"list", {1, {{"yes", "~"}}, wandb::Json::array()}}, {"empty", wandb::Json::object()}};
    // Expected text from YAML 1.1 and the SDK's layout: keys sorted bytewise, `value:` at 4,
    // nesting by 4; reserved words and non-plain keys double-quoted; every string quoted;
    // floats with '.' and a signed exponent; DEL, NEL and U+2028 escaped.
    CHECK(wandb::detail::config_yaml(config) ==
          "\"2024-01-01\":\n    value: \"2024-01-01\"\n"
          "\"ON\":\n    value: 1\n"
          "\"a: b\":\n    value: \": x\"\n"
          "big:\n    value: 1.0e+16\n"
          "esc:\n    value: \"tab\\there\\nline \\u007F \\u0085 \\u2028 \\\"q\\\" \\\\\"\n"
          "hex:\n    value: \"0x1F\"\n"
          "inf:\n    value: -.inf\n"
          "lr:\n    value: 1.0e-05\n"
          "\"n\":\n    value: \"null\"\n"
          "nan:\n    value: .nan\n"
          "neg:\n    value: -0.0\n"
          "nested:\n    value:\n        empty: {}\n        list:\n            - 1\n            -\n                \"yes\": \"~\"\n            - []\n"
          "\"no\":\n    value: \"yes\"\n"
          "none:\n    value: null\n"
          "whole:\n    value: 100.0\n");
}

TEST_CASE("config.yaml reads back with python3-yaml safe_load to exactly the config, over 2,000 generated configs",
          "[yaml]") {
    TempDir dir;
    std::size_t n = 0;
    // Every tricky string as a key and as a value, every tricky number as a value.
    for (const std::string& s : tricky_strings()) write_case(dir.path(), n++, {{s, s}, {"k", s}});
    for (const wandb::Json& v : tricky_numbers()) write_case(dir.path(), n++, {{"v", v}, {"list", {v, {{"in", v}}}}});
    write_case(dir.path(), n++, wandb::Json::object());
    // Keys past YAML's 1024-character limit on simple keys, in ASCII and in 2-byte characters.
    std::string e1100;
    for (int i = 0; i < 1100; ++i) e1100 += "\xc3\xa9";
    write_case(dir.path(), n++, {{std::string(1500, 'k'), {{std::string(1024, 'q'), 1}}}, {e1100, e1100}, {"a", 1}});
    write_case(dir.path(), n++, {{std::string(1000, 'k'), 1}, {std::string(1001, 'k'), 2}, {std::string(998, 'k'), 3}});
    std::uint64_t seed = std::random_device{}();
    if (const char* env = std::getenv("WANDB_TEST_SEED")) seed = std::stoull(env);
    std::cout << "yaml round-trip seed: " << seed << std::endl;
    INFO("seed " << seed << " (set WANDB_TEST_SEED to repeat)");
    std::mt19937_64 random(seed);
    for (int i = 0; i < 1800; ++i) {
        wandb::Json config = wandb::Json::object();
        const int keys = std::uniform_int_distribution<int>(1, 6)(random);
        for (int k = 0; k < keys; ++k) config[random_string(random)] = random_value(random, 4);
        write_case(dir.path(), n++, config);
    }
    // And the file a run writes, through OfflineRunOptions::config and update_config.
    {
        TempDir root;
        auto options = wandb_test::quiet_run_options(root.path());
        options.config = {{"ON", "off"}, {"lr", 1e-05}, {"when", "2024-01-01"}};
        wandb::OfflineRun run(options);
        run.update_config({{"~", nullptr}, {"big", 1e16}, {"yes", {{"no", -0.0}}}});
        run.finish();
        fs::copy_file(run.files_dir() / "config.yaml", dir / "case_run.yaml");
        wandb_test::write_text(dir / "case_run.json",
                               wandb::detail::json_text(wandb::Json{{"ON", "off"}, {"lr", 1e-05}, {"when", "2024-01-01"},
                                                                    {"~", nullptr}, {"big", 1e16}, {"yes", {{"no", -0.0}}}}));
        ++n;
    }
    const std::string out = python_check(dir.path());
    INFO(out);
    CHECK(out == std::to_string(n) + " passed, 0 failed\n");
}

}  // namespace test_yaml
