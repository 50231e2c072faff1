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
#include "utf8.hpp"
#include "yaml.hpp"

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

/// This machine's host name (invalid UTF-8 replaced, see replace_invalid_utf8).
inline std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "";
    return replace_invalid_utf8(buf);
}

/// The command line of this process, from /proc/self/cmdline (empty elsewhere), each argument
/// with invalid UTF-8 replaced: facts about the process never fail a run.
inline Json process_arguments() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(in)), {});
    Json args = Json::array();
    std::size_t start = 0;
    while (start < all.size()) {
        const std::size_t end = all.find('\0', start);
        args.push_back(replace_invalid_utf8(all.substr(start, end == std::string::npos ? std::string::npos : end - start)));
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
/// Text from the environment (arguments, host, directories) has invalid UTF-8 replaced.
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
    if (::getcwd(cwd, sizeof cwd)) m["root"] = replace_invalid_utf8(cwd);
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) m["executable"] = replace_invalid_utf8(std::string(exe, static_cast<std::size_t>(n)));
    m["cpu_count_logical"] = std::thread::hardware_concurrency();
    if (const unsigned cores = physical_cpu_count()) m["cpu_count"] = cores;
    if (const std::uint64_t bytes = memory_total_bytes()) m["memory"] = Json{{"total", bytes}};
    m["writer"] = std::string(producer_name) + " " + version_string;
    return m;
}

}  // namespace detail
WANDB_NAMESPACE_END
