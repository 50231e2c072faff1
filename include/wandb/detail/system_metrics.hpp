// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// System metrics of the running process and its machine, under the names and with the formulas
/// of wandb-core's system monitor (core/internal/monitor/system.go and cgroup.go in W&B's
/// repository, which read them through gopsutil v4, vendored there as core/vendor/.../gopsutil):
///
/// | name | value |
/// |---|---|
/// | `cpu` | 100 x (utime + stime + delayacct_blkio_ticks) / CLK_TCK / seconds since the process started, divided by the CPU capacity: the cgroup v2 CPU limit if any, else the physical core count (gopsutil's `CPUPercent` is this lifetime average, not a per-interval rate) |
/// | `proc.cpu.threads` | `Threads:` of /proc/self/status |
/// | `proc.memory.rssMB` | resident pages of /proc/self/statm x page size / 2^20 |
/// | `proc.memory.percent` | resident bytes / memory denominator x 100 |
/// | `memory_percent` | cgroup memory.current / memory.max x 100, else (MemTotal - MemAvailable) / MemTotal x 100 |
/// | `proc.memory.availableMB` | (memory.max - memory.current) / 2^20 (0 if over), else MemAvailable / 2^20 |
/// | `disk.<path>.usagePercent` | statvfs: used / (used + available) x 100, used = (f_blocks - f_bfree) x f_frsize |
/// | `disk.<path>.usageGB` | used / 2^30 |
/// | `disk.<dev>.in`, `disk.<dev>.out` | MiB read / written since the run started (/proc/diskstats sectors x 512) |
/// | `network.sent`, `network.recv` | bytes since the run started, summed over every interface of /proc/net/dev |
///
/// The memory denominator is the cgroup's memory.max when finite, else MemTotal. Cgroup limits are
/// read as wandb-core reads them: cgroup v2 only (the `0::` line of /proc/self/cgroup under the
/// first cgroup2 mount of /proc/self/mountinfo), the leaf cgroup only, memory.max and cpu.max once
/// at start, memory.current at every sample; Cpus_allowed_list counts as a CPU limit only when
/// smaller than the logical CPU count. Disk devices: the device mounted at a watched path if
/// /proc/diskstats lists it, else every device there but loop*, ram* and zram* (wandb-core's fallback).
///
/// Every file is read under a root (`SystemPaths`) so that tests can point it at a fake tree.

#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../json.hpp"
#include "../version.hpp"
#include "json_text.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Receives one warning line (without a prefix or newline).
using Warn = std::function<void(const std::string&)>;

/// One sampled value under W&B's metric name. `integer` values are written without a fraction
/// (as W&B's GPU sampler writes its integer metrics), the others as JSON doubles.
struct Metric {
    std::string name;
    double value = 0;
    bool integer = false;
};

/// The value_json text of a metric: "12" for an integer metric, else the double as JSON ("12.0").
inline std::string metric_json(const Metric& m) {
    if (m.integer) return std::to_string(static_cast<std::int64_t>(m.value));
    return json_text(Json(m.value));
}

/// Where the sampler reads from, so that tests can substitute a fake /proc and /sys.
struct SystemPaths {
    std::filesystem::path proc = "/proc";         ///< procfs root (self/ below it is the run's process)
    std::filesystem::path sys = "/sys";           ///< sysfs root, for the CPU topology
    std::vector<std::string> disk_paths = {"/"};  ///< file systems for disk.<path>.*; W&B's default
    /// Seconds since boot, on the clock /proc/<pid>/stat's starttime counts in (CLOCK_BOOTTIME).
    std::function<double()> seconds_since_boot = [] {
        timespec t{};
        ::clock_gettime(CLOCK_BOOTTIME, &t);
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
    };
};

/// The whole text of a file, or an exception naming it and the system's reason.
/// \throws std::runtime_error  "cannot read <path>: <reason>".
inline std::string read_system_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (in.bad()) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
    return text;
}

namespace system_parse {

/// The whitespace-separated tokens of `text`.
inline std::vector<std::string> tokens(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        const std::size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i > start) out.emplace_back(text.substr(start, i - start));
    }
    return out;
}

/// A decimal unsigned number, or nothing if `s` is not one.
inline std::optional<std::uint64_t> number(std::string_view s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const std::uint64_t next = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (next / 10 != v) return std::nullopt;
        v = next;
    }
    return v;
}

/// `number`, or an exception naming what was expected.
inline std::uint64_t require_number(std::string_view s, const std::string& what) {
    const auto v = number(s);
    if (!v) throw std::runtime_error("malformed " + what + ": \"" + std::string(s) + "\" is not a number");
    return *v;
}

/// The lines of `text`, without their newlines; views into `text`, which must outlive them.
inline std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

/// CPU times and start of a process, from /proc/<pid>/stat (fields numbered as in proc(5)).
struct ProcessTimes {
    std::uint64_t utime = 0;      ///< field 14, clock ticks
    std::uint64_t stime = 0;      ///< field 15
    std::uint64_t starttime = 0;  ///< field 22, clock ticks after boot
    std::uint64_t blkio = 0;      ///< field 42, delayacct_blkio_ticks (0 if the kernel has none)
};

/// Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses, so the
/// fields are counted from its last ')'.
/// \throws std::runtime_error  if the text has fewer than 22 fields or a field is not a number.
inline ProcessTimes process_times(std::string_view stat) {
    const std::size_t close = stat.rfind(')');
    if (close == std::string_view::npos) throw std::runtime_error("malformed /proc/self/stat: no \")\"");
    const auto f = tokens(stat.substr(close + 1));  // f[0] is field 3
    auto field = [&](std::size_t n) { return f[n - 3]; };
    if (f.size() < 22 - 2)
        throw std::runtime_error("malformed /proc/self/stat: " + std::to_string(f.size() + 2) + " fields");
    ProcessTimes t;
    t.utime = require_number(field(14), "/proc/self/stat utime");
    t.stime = require_number(field(15), "/proc/self/stat stime");
    t.starttime = require_number(field(22), "/proc/self/stat starttime");
    if (f.size() >= 42 - 2) t.blkio = number(field(42)).value_or(0);
    return t;
}

/// The value of `Name:` in a /proc/<pid>/status text (e.g. "Threads"), trimmed; nothing if absent.
inline std::optional<std::string> status_field(std::string_view status, std::string_view name) {
    for (const std::string_view line : lines(status)) {
        if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ':') {
            const auto t = tokens(line.substr(name.size() + 1));
            std::string joined;
            for (const auto& s : t) joined += (joined.empty() ? "" : " ") + s;
            return joined;
        }
    }
    return std::nullopt;
}

/// How many CPUs a list such as "0-3,8,10-11" names (7); 0 for an empty or malformed list.
inline std::size_t cpu_list_size(std::string_view list) {
    std::size_t count = 0;
    std::size_t start = 0;
    while (start < list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string_view::npos) end = list.size();
        const std::string_view item = list.substr(start, end - start);
        const std::size_t dash = item.find('-');
        const auto lo = number(item.substr(0, dash));
        const auto hi = dash == std::string_view::npos ? lo : number(item.substr(dash + 1));
        if (!lo || !hi || *hi < *lo) return 0;
        count += static_cast<std::size_t>(*hi - *lo + 1);
        start = end + 1;
    }
    return count;
}

/// A value of /proc/meminfo in bytes ("MemTotal:  16 kB" -> 16384); nothing if absent.
inline std::optional<std::uint64_t> meminfo_bytes(std::string_view meminfo, std::string_view name) {
    const auto v = status_field(meminfo, name);
    if (!v) return std::nullopt;
    const auto t = tokens(*v);
    if (t.empty()) return std::nullopt;
    const auto n = number(t[0]);
    if (!n) return std::nullopt;
    return t.size() > 1 && t[1] == "kB" ? *n * 1024 : *n;
}

/// Bytes received and sent, summed over every interface of /proc/net/dev (gopsutil's
/// `IOCounters(false)`): after the two header lines, "<name>: <8 receive fields> <8 transmit fields>".
struct NetworkBytes {
    std::uint64_t recv = 0;
    std::uint64_t sent = 0;
};

/// Parses /proc/net/dev.
/// \throws std::runtime_error  if the header lines are missing or a counter is not a number.
inline NetworkBytes network_bytes(std::string_view net_dev) {
    const auto all = lines(net_dev);
    if (all.size() < 2) throw std::runtime_error("malformed /proc/net/dev: fewer than 2 header lines");
    NetworkBytes out;
    for (std::size_t i = 2; i < all.size(); ++i) {
        const std::size_t colon = all[i].rfind(':');
        if (colon == std::string_view::npos) continue;
        const auto f = tokens(all[i].substr(colon + 1));
        if (f.size() < 13) continue;
        out.recv += require_number(f[0], "/proc/net/dev receive bytes");
        out.sent += require_number(f[8], "/proc/net/dev transmit bytes");
    }
    return out;
}

/// Bytes read and written per device, from /proc/diskstats (sectors of 512 bytes, fields 6 and 10).
inline std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> disk_bytes(std::string_view diskstats) {
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> out;
    for (const std::string_view line : lines(diskstats)) {
        const auto f = tokens(line);
        if (f.size() < 14) continue;
        out[f[2]] = {require_number(f[5], "/proc/diskstats sectors read") * 512,
                     require_number(f[9], "/proc/diskstats sectors written") * 512};
    }
    return out;
}

/// A mount of /proc/<pid>/mountinfo: the root of the mounted tree, where it is mounted, its type
/// and its source (e.g. /dev/vda); octal escapes such as \040 are decoded.
struct Mount {
    std::string root;
    std::string mount_point;
    std::string type;
    std::string source;
};

inline std::string unescape_mount_field(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto octal = [&](std::size_t k, char hi) { return s[k] >= '0' && s[k] <= hi; };
        if (s[i] == '\\' && i + 3 < s.size() && octal(i + 1, '3') && octal(i + 2, '7') && octal(i + 3, '7')) {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// Parses /proc/<pid>/mountinfo: "id parent major:minor root mount-point options [tags] - type source ...".
inline std::vector<Mount> mounts(std::string_view mountinfo) {
    std::vector<Mount> out;
    for (const std::string_view line : lines(mountinfo)) {
        const auto f = tokens(line);
        const auto dash = std::find(f.begin(), f.end(), "-");
        if (f.size() < 5 || dash == f.end() || f.end() - dash < 3) continue;
        out.push_back(
            {unescape_mount_field(f[3]), unescape_mount_field(f[4]), *(dash + 1), unescape_mount_field(*(dash + 2))});
    }
    return out;
}

/// The cgroup v2 path of a process: the "0::<path>" line of /proc/<pid>/cgroup; nothing without one.
inline std::optional<std::string> cgroup_v2_path(std::string_view cgroup) {
    for (const std::string_view line : lines(cgroup))
        if (line.substr(0, 3) == "0::") return std::string(line.substr(3));
    return std::nullopt;
}

/// The directory of cgroup `path` under a cgroup2 mount (wandb-core's cgroupDir): the mount's
/// root is stripped from the path when the mount is a bind mount of a sub-tree.
inline std::string cgroup_dir(const Mount& mount, std::string path) {
    std::string root = mount.root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (root != "/") {
        if (path == root)
            path = "/";
        else if (path.compare(0, root.size() + 1, root + "/") == 0)
            path = path.substr(root.size());
    }
    std::string dir = mount.mount_point;
    const std::string rel =
        path.substr(path.find_first_not_of('/') == std::string::npos ? path.size() : path.find_first_not_of('/'));
    if (!rel.empty()) dir += (dir.empty() || dir.back() != '/' ? "/" : "") + rel;
    return dir;
}

/// A cgroup file holding one number, or "max"; nothing for "max", blank or malformed text.
inline std::optional<std::uint64_t> cgroup_number(std::string_view text) {
    const auto t = tokens(text);
    if (t.size() != 1 || t[0] == "max") return std::nullopt;
    return number(t[0]);
}

/// cpu.max ("$quota $period" in microseconds, or "max $period") as a CPU count; 0 = no limit.
inline double cpu_max_limit(std::string_view text) {
    const auto t = tokens(text);
    if (t.size() != 2 || t[0] == "max") return 0;
    const auto quota = number(t[0]);
    const auto period = number(t[1]);
    if (!quota || !period || *quota == 0 || *period == 0) return 0;
    return static_cast<double>(*quota) / static_cast<double>(*period);
}

}  // namespace system_parse

/// The cgroup v2 limits that apply to the process, as wandb-core detects them at start.
struct CgroupLimits {
    std::filesystem::path memory_current;  ///< memory.current next to a finite memory.max; "" = no memory limit
    std::uint64_t memory_limit = 0;        ///< memory.max in bytes; 0 = none
    double cpu_limit = 0;  ///< min of cpu.max quota/period and a restricting Cpus_allowed_list; 0 = none
};

/// Detects the cgroup limits of /proc/self under `paths.proc`; nothing when no limit applies or
/// the files cannot be read (the host-wide figures are used then). `logical_cpus` is the
/// machine's logical CPU count (0 = unknown).
inline std::optional<CgroupLimits> detect_cgroup_limits(const SystemPaths& paths, std::size_t logical_cpus) {
    namespace p = system_parse;
    std::optional<std::string> path;
    std::vector<p::Mount> all;
    try {
        path = p::cgroup_v2_path(read_system_file(paths.proc / "self/cgroup"));
        all = p::mounts(read_system_file(paths.proc / "self/mountinfo"));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (!path) return std::nullopt;
    const auto mount = std::find_if(all.begin(), all.end(), [](const p::Mount& m) { return m.type == "cgroup2"; });
    if (mount == all.end()) return std::nullopt;
    const std::filesystem::path dir = p::cgroup_dir(*mount, *path);
    CgroupLimits limits;
    try {
        if (const auto max = p::cgroup_number(read_system_file(dir / "memory.max")); max && *max > 0) {
            limits.memory_limit = *max;
            limits.memory_current = dir / "memory.current";
        }
    } catch (const std::exception&) {
    }
    double quota = 0;
    try {
        quota = p::cpu_max_limit(read_system_file(dir / "cpu.max"));
    } catch (const std::exception&) {
    }
    double allowed = 0;
    try {
        const auto list = p::status_field(read_system_file(paths.proc / "self/status"), "Cpus_allowed_list");
        const std::size_t n = list ? p::cpu_list_size(*list) : 0;
        if (n > 0 && (logical_cpus == 0 || n < logical_cpus)) allowed = static_cast<double>(n);
    } catch (const std::exception&) {
    }
    limits.cpu_limit = quota <= 0 ? allowed : allowed <= 0 ? quota : std::min(quota, allowed);
    if (limits.memory_limit == 0 && limits.cpu_limit <= 0) return std::nullopt;
    return limits;
}

/// Logical CPUs as gopsutil counts them: "processor" lines of /proc/cpuinfo, else cpuN lines of
/// /proc/stat; 0 if neither can be read.
inline std::size_t logical_cpu_count(const SystemPaths& paths) {
    namespace p = system_parse;
    std::size_t n = 0;
    try {
        const std::string cpuinfo = read_system_file(paths.proc / "cpuinfo");
        for (const std::string_view line : p::lines(cpuinfo))
            if (line.substr(0, 9) == "processor" && line.find(':') != std::string_view::npos) ++n;
    } catch (const std::exception&) {
    }
    if (n > 0) return n;
    try {
        const std::string stat = read_system_file(paths.proc / "stat");
        for (const std::string_view line : p::lines(stat))
            if (line.size() >= 4 && line.substr(0, 3) == "cpu" && line[3] >= '0' && line[3] <= '9') ++n;
    } catch (const std::exception&) {
    }
    return n;
}

/// Physical cores as gopsutil counts them: distinct contents of every CPU's
/// topology/core_cpus_list (else thread_siblings_list) below /sys/devices/system/cpu, else the
/// sum of "cpu cores" per "physical id" in /proc/cpuinfo; 0 if unknown.
inline std::size_t physical_core_count(const SystemPaths& paths) {
    namespace p = system_parse;
    const std::filesystem::path cpus = paths.sys / "devices/system/cpu";
    for (const char* file : {"core_cpus_list", "thread_siblings_list"}) {
        std::set<std::string> distinct;
        std::error_code ec;
        for (std::filesystem::directory_iterator it(cpus, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (name.size() < 4 || name.compare(0, 3, "cpu") != 0 || !p::number(name.substr(3))) continue;
            try {
                const std::string text = read_system_file(it->path() / "topology" / file);
                const auto ls = p::lines(text);
                if (ls.size() == 1) distinct.insert(std::string(ls[0]));
            } catch (const std::exception&) {
            }
        }
        if (!distinct.empty()) return distinct.size();
    }
    try {
        std::map<std::uint64_t, std::uint64_t> cores_of;
        constexpr std::uint64_t none = ~std::uint64_t{0};  // not a std::optional: g++ -O2 misreads it
        std::uint64_t id = none, cores = none;
        const std::string cpuinfo = read_system_file(paths.proc / "cpuinfo") + "\n\n";
        for (const std::string_view line : p::lines(cpuinfo)) {
            const auto t = p::tokens(line);
            if (t.empty()) {
                if (id != none && cores != none) cores_of[id] = cores;
                id = cores = none;
                continue;
            }
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            const auto key = p::tokens(line.substr(0, colon));
            const auto value = p::tokens(line.substr(colon + 1));
            if (value.size() != 1) continue;
            if (key == std::vector<std::string>{"physical", "id"}) id = p::number(value[0]).value_or(none);
            if (key == std::vector<std::string>{"cpu", "cores"}) cores = p::number(value[0]).value_or(none);
        }
        std::uint64_t sum = 0;
        for (const auto& [package, n] : cores_of) sum += n;
        return static_cast<std::size_t>(sum);
    } catch (const std::exception&) {
        return 0;
    }
}

/// Samples the system metrics listed in this file's comment. Constructing it takes the starting
/// network and disk counters. A group of metrics whose source fails (a file missing or
/// malformed) is reported once through `warn` and not sampled again; the others go on.
class SystemSampler {
public:
    /// Reads the counters the metrics are relative to, the CPU counts and the cgroup limits.
    /// Never throws: a source that cannot be read now reports its error at the first sample.
    explicit SystemSampler(SystemPaths paths = {}) : paths_(std::move(paths)) {
        logical_cpus_ = logical_cpu_count(paths_);
        physical_cores_ = physical_core_count(paths_);
        cgroup_ = detect_cgroup_limits(paths_, logical_cpus_);
        clock_ticks_ = static_cast<double>(::sysconf(_SC_CLK_TCK));
        page_size_ = static_cast<double>(::sysconf(_SC_PAGESIZE));
        for (const std::string& p : paths_.disk_paths)
            sources_.emplace_back("disk." + p + ".usagePercent, disk." + p + ".usageGB");
        sources_.emplace_back("network.sent, network.recv");
        sources_.emplace_back("disk.<device>.in, disk.<device>.out");
        sources_.emplace_back("memory_percent, proc.memory.availableMB");
        sources_.emplace_back("cpu, proc.cpu.threads, proc.memory.rssMB, proc.memory.percent");
        guard(network_source(),
              [&] { network_start_ = system_parse::network_bytes(read_system_file(paths_.proc / "net/dev")); });
        guard(disk_io_source(), [&] { start_disk_io(); });
    }

    /// Appends this moment's metrics to `out`. Never throws; a failing source is reported once
    /// ("<names>: <reason>; not sampled any more") and then skipped.
    void sample(std::vector<Metric>& out, const Warn& warn) {
        for (std::size_t i = 0; i < paths_.disk_paths.size(); ++i)
            run(i, out, warn, [&](std::vector<Metric>& m) { disk_usage(paths_.disk_paths[i], m); });
        run(network_source(), out, warn, [&](std::vector<Metric>& m) { network(m); });
        run(disk_io_source(), out, warn, [&](std::vector<Metric>& m) { disk_io(m); });
        std::optional<double> denominator;
        run(memory_source(), out, warn, [&](std::vector<Metric>& m) { denominator = memory(m); });
        run(process_source(), out, warn, [&](std::vector<Metric>& m) { process(m, denominator); });
    }

    /// The cgroup limits in use, if any applies.
    const std::optional<CgroupLimits>& cgroup() const noexcept { return cgroup_; }
    /// Physical cores (0 if unknown) and logical CPUs, as counted for `cpu`.
    std::size_t physical_cores() const noexcept { return physical_cores_; }
    std::size_t logical_cpus() const noexcept { return logical_cpus_; }

private:
    struct Source {
        explicit Source(std::string metric_names) : names(std::move(metric_names)) {}
        std::string names;  // the metrics it gives, for the warning
        bool dropped = false;
        std::string pending_error;  // from the constructor, reported at the first sample
    };

    std::size_t network_source() const { return paths_.disk_paths.size(); }
    std::size_t disk_io_source() const { return paths_.disk_paths.size() + 1; }
    std::size_t memory_source() const { return paths_.disk_paths.size() + 2; }
    std::size_t process_source() const { return paths_.disk_paths.size() + 3; }

    template <class F>
    void guard(std::size_t source, F&& f) {
        try {
            f();
        } catch (const std::exception& e) {
            sources_[source].pending_error = e.what();
        }
    }

    template <class F>
    void run(std::size_t index, std::vector<Metric>& out, const Warn& warn, F&& f) {
        Source& s = sources_[index];
        if (s.dropped) return;
        std::string error = s.pending_error;
        if (error.empty()) {
            std::vector<Metric> got;
            try {
                f(got);
                out.insert(out.end(), got.begin(), got.end());
                return;
            } catch (const std::exception& e) {
                error = e.what();
            }
        }
        s.dropped = true;
        if (warn) warn("system metrics " + s.names + ": " + error + "; not sampled any more");
    }

    void disk_usage(const std::string& path, std::vector<Metric>& m) const {
        struct statvfs st {};
        if (::statvfs(path.c_str(), &st) != 0)
            throw std::runtime_error("cannot statvfs " + path + ": " + std::strerror(errno));
        const double unit = static_cast<double>(st.f_frsize ? st.f_frsize : st.f_bsize);
        const double used = static_cast<double>(st.f_blocks - st.f_bfree) * unit;
        const double available = static_cast<double>(st.f_bavail) * unit;
        m.push_back({"disk." + path + ".usagePercent", used + available > 0 ? used / (used + available) * 100 : 0.0});
        m.push_back({"disk." + path + ".usageGB", used / (1024.0 * 1024 * 1024)});
    }

    void network(std::vector<Metric>& m) const {
        const auto now = system_parse::network_bytes(read_system_file(paths_.proc / "net/dev"));
        // Counters of interfaces that went away can make the sum smaller; W&B then reports negative bytes.
        m.push_back({"network.sent", static_cast<double>(static_cast<std::int64_t>(now.sent - network_start_.sent))});
        m.push_back({"network.recv", static_cast<double>(static_cast<std::int64_t>(now.recv - network_start_.recv))});
    }

    void start_disk_io() {
        const auto stats = system_parse::disk_bytes(read_system_file(paths_.proc / "diskstats"));
        std::set<std::string> devices;
        try {
            for (const auto& mount : system_parse::mounts(read_system_file(paths_.proc / "self/mountinfo")))
                for (const std::string& p : paths_.disk_paths)
                    if (mount.mount_point == p && mount.source.compare(0, 5, "/dev/") == 0)
                        devices.insert(mount.source.substr(5));
        } catch (const std::exception&) {
        }
        for (auto it = devices.begin(); it != devices.end();) it = stats.count(*it) ? std::next(it) : devices.erase(it);
        if (devices.empty())
            for (const auto& [name, bytes] : stats)
                if (name.compare(0, 4, "loop") != 0 && name.compare(0, 3, "ram") != 0 &&
                    name.compare(0, 4, "zram") != 0)
                    devices.insert(name);
        for (const std::string& d : devices) disk_start_[d] = stats.at(d);
    }

    void disk_io(std::vector<Metric>& m) const {
        const auto stats = system_parse::disk_bytes(read_system_file(paths_.proc / "diskstats"));
        for (const auto& [device, start] : disk_start_) {
            const auto it = stats.find(device);
            if (it == stats.end()) continue;  // the device went away
            m.push_back(
                {"disk." + device + ".in", static_cast<double>(it->second.first - start.first) / (1024.0 * 1024)});
            m.push_back(
                {"disk." + device + ".out", static_cast<double>(it->second.second - start.second) / (1024.0 * 1024)});
        }
    }

    /// memory_percent and proc.memory.availableMB; returns the denominator of proc.memory.percent.
    double memory(std::vector<Metric>& m) const {
        constexpr double mib = 1024.0 * 1024;
        if (cgroup_ && cgroup_->memory_limit > 0) {
            std::optional<std::uint64_t> current;
            try {
                current = system_parse::cgroup_number(read_system_file(cgroup_->memory_current));
            } catch (const std::exception&) {
            }
            if (current) {
                const auto limit = cgroup_->memory_limit;
                m.push_back({"memory_percent", static_cast<double>(*current) / static_cast<double>(limit) * 100});
                m.push_back(
                    {"proc.memory.availableMB", *current < limit ? static_cast<double>(limit - *current) / mib : 0.0});
                return static_cast<double>(limit);
            }
        }
        const std::string meminfo = read_system_file(paths_.proc / "meminfo");
        const auto total = system_parse::meminfo_bytes(meminfo, "MemTotal");
        if (!total || *total == 0)
            throw std::runtime_error("malformed " + (paths_.proc / "meminfo").string() + ": no MemTotal");
        auto available = system_parse::meminfo_bytes(meminfo, "MemAvailable");
        if (!available)  // kernels before 3.14: gopsutil's simple estimate
            available = system_parse::meminfo_bytes(meminfo, "MemFree").value_or(0) +
                        system_parse::meminfo_bytes(meminfo, "Cached").value_or(0) +
                        system_parse::meminfo_bytes(meminfo, "SReclaimable").value_or(0);
        const auto used = *total > *available ? *total - *available : 0;
        m.push_back({"memory_percent", static_cast<double>(used) / static_cast<double>(*total) * 100});
        m.push_back({"proc.memory.availableMB", static_cast<double>(*available) / mib});
        return static_cast<double>(*total);
    }

    void process(std::vector<Metric>& m, std::optional<double> denominator) const {
        namespace p = system_parse;
        const std::string statm = read_system_file(paths_.proc / "self/statm");
        const auto f = p::tokens(statm);
        if (f.size() < 2) throw std::runtime_error("malformed " + (paths_.proc / "self/statm").string());
        const double rss = static_cast<double>(p::require_number(f[1], "/proc/self/statm resident")) * page_size_;
        const auto times = p::process_times(read_system_file(paths_.proc / "self/stat"));
        const auto threads = p::status_field(read_system_file(paths_.proc / "self/status"), "Threads");
        if (!threads) throw std::runtime_error("malformed " + (paths_.proc / "self/status").string() + ": no Threads");
        m.push_back({"proc.memory.rssMB", rss / (1024.0 * 1024)});
        if (denominator && *denominator > 0) m.push_back({"proc.memory.percent", rss / *denominator * 100});
        const double cpu_seconds = static_cast<double>(times.utime + times.stime + times.blkio) / clock_ticks_;
        const double alive = paths_.seconds_since_boot() - static_cast<double>(times.starttime) / clock_ticks_;
        const double percent = alive > 0 ? 100 * cpu_seconds / alive : 0.0;
        const double capacity =
            cgroup_ && cgroup_->cpu_limit > 0 ? cgroup_->cpu_limit : static_cast<double>(physical_cores_);
        m.push_back({"cpu", capacity > 0 ? percent / capacity : percent});
        m.push_back(
            {"proc.cpu.threads", static_cast<double>(p::require_number(*threads, "/proc/self/status Threads"))});
    }

    SystemPaths paths_;
    std::size_t logical_cpus_ = 0;
    std::size_t physical_cores_ = 0;
    std::optional<CgroupLimits> cgroup_;
    double clock_ticks_ = 100;
    double page_size_ = 4096;
    std::vector<Source> sources_;
    system_parse::NetworkBytes network_start_;
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> disk_start_;
};

}  // namespace detail
WANDB_NAMESPACE_END
