// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The bookkeeping files of an offline run's `files/` directory (config.yaml, wandb-metadata.json)
/// and the run's names and times.

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../json.hpp"
#include "../version.hpp"
#include "json_text.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// `n` random characters from [a-z0-9], as W&B's run ids and artifact client ids are made.
inline std::string random_base36(std::size_t n) {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937_64 engine = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(),
                           static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id()))};
        return std::mt19937_64(seed);
    }();
    std::uniform_int_distribution<int> pick(0, 35);
    std::string out(n, '0');
    for (char& c : out) c = alphabet[pick(engine)];
    return out;
}

/// Seconds since the Unix epoch, with sub-second precision.
inline double unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

/// `strftime` of a time point, in local time or UTC.
inline std::string format_time(std::chrono::system_clock::time_point t, const char* format, bool utc) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm parts{};
    if (utc) {
        gmtime_r(&seconds, &parts);
    } else {
        localtime_r(&seconds, &parts);
    }
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, format, &parts);
    return std::string(buf, n);
}

/// This machine's host name.
inline std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "";
    return buf;
}

/// A YAML key: plain when it cannot be mistaken for something else, else double-quoted.
inline std::string yaml_key(const std::string& key) {
    bool plain = !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_');
    for (const char c : key)
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/');
    static const char* const reserved[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "True", "False",
                                           "Yes", "No", "On", "Off", "Null", "NULL", "TRUE", "FALSE", "Y", "N"};
    for (const char* word : reserved) plain = plain && key != word;
    return plain ? key : Json(key).dump();
}

inline void append_yaml(std::string& out, const Json& value, std::size_t indent);

/// Appends what follows a mapping key's `:` or a sequence item's `-`: a nested block on the next
/// lines at `indent`, or a scalar (or empty container) on the same line.
inline void append_yaml_entry_value(std::string& out, const Json& v, std::size_t indent) {
    if ((v.is_object() || v.is_array()) && !v.empty()) {
        out += "\n";
        append_yaml(out, v, indent);
    } else {
        out += " ";
        append_yaml(out, v, 0);
        out += "\n";
    }
}

/// Appends `value` as YAML at `indent` spaces (mappings nest by 4, as the SDK's config.yaml).
inline void append_yaml(std::string& out, const Json& value, std::size_t indent) {
    const std::string pad(indent, ' ');
    if (value.is_object() && !value.empty()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            out += pad + yaml_key(it.key()) + ":";
            append_yaml_entry_value(out, it.value(), indent + 4);
        }
    } else if (value.is_array() && !value.empty()) {
        for (const Json& v : value) {
            out += pad + "-";
            append_yaml_entry_value(out, v, indent + 4);
        }
    } else if (value.is_number_float()) {
        const double d = value.get<double>();
        out += std::isnan(d) ? ".nan" : std::isinf(d) ? (d > 0 ? ".inf" : "-.inf") : value.dump();
    } else {
        out += value.dump();  // JSON scalars are YAML scalars ("..." strings are YAML double-quoted)
    }
}

/// config.yaml as W&B writes it: every top-level key maps to `{value: ...}`, keys sorted.
inline std::string config_yaml(const Json& config) {
    nlohmann::json sorted = config;  // std::map ordering sorts the keys at every level
    Json wrapped = Json::object();
    for (auto it = sorted.begin(); it != sorted.end(); ++it) wrapped[it.key()] = Json{{"value", Json(it.value())}};
    std::string out;
    append_yaml(out, wrapped, 0);
    return out;
}

/// The command line of this process, from /proc/self/cmdline (empty elsewhere).
inline Json process_arguments() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(in)), {});
    Json args = Json::array();
    std::size_t start = 0;
    while (start < all.size()) {
        const std::size_t end = all.find('\0', start);
        args.push_back(all.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return args;
}

/// Physical CPU cores: the distinct sibling sets in /sys/devices/system/cpu/cpu<N>/topology
/// (core_cpus_list, or the older thread_siblings_list), as wandb-core's gopsutil counts them;
/// 0 when unknown.
inline unsigned physical_cpu_count() {
    for (const char* name : {"core_cpus_list", "thread_siblings_list"}) {
        std::vector<std::string> sets;
        for (unsigned cpu = 0; cpu < 65536; ++cpu) {
            std::ifstream in("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/" + name);
            if (!in) break;
            std::string line;
            if (std::getline(in, line) && std::find(sets.begin(), sets.end(), line) == sets.end()) sets.push_back(line);
        }
        if (!sets.empty()) return static_cast<unsigned>(sets.size());
    }
    return 0;
}

/// Total physical memory in bytes (MemTotal), 0 when unknown.
inline std::uint64_t memory_total_bytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_size = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page_size > 0 ? std::uint64_t(pages) * std::uint64_t(page_size) : 0;
}

/// wandb-metadata.json: what the SDK records about the machine and program, as far as C++ knows.
inline Json run_metadata(std::chrono::system_clock::time_point started) {
    Json m = Json::object();
    utsname uts{};
    if (::uname(&uts) == 0) m["os"] = std::string(uts.sysname) + "-" + uts.release + "-" + uts.machine;
    Json args = process_arguments();
    if (!args.empty()) {
        m["program"] = args[0];
        args.erase(args.begin());
    }
    m["args"] = std::move(args);
    m["startedAt"] = format_time(started, "%Y-%m-%dT%H:%M:%S", true) + "Z";
    m["host"] = host_name();
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd)) m["root"] = cwd;
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) m["executable"] = std::string(exe, static_cast<std::size_t>(n));
    m["cpu_count_logical"] = std::thread::hardware_concurrency();
    if (const unsigned cores = physical_cpu_count()) m["cpu_count"] = cores;
    if (const std::uint64_t bytes = memory_total_bytes()) m["memory"] = Json{{"total", bytes}};
    m["writer"] = std::string(producer_name) + " " + version_string;
    return m;
}

}  // namespace detail
WANDB_NAMESPACE_END
