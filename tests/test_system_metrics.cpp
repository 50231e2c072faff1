// Tests for the Stats record (detail/records.hpp, run_log.hpp's decoder), the system metrics
// (detail/system_metrics.hpp), the sampler thread (detail/system_monitor.hpp) and their place in
// an OfflineRun. Names and formulas are those of wandb-core (core/internal/monitor/system.go,
// cgroup.go, through gopsutil v4); expected values are worked out from the fixture numbers with
// those formulas, and on the real machine checked against procps (ps, free) and coreutils (df).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <wandb/detail/system_monitor.hpp>
#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_system_metrics {

namespace d = wandb::detail;
namespace p = wandb::detail::system_parse;
using wandb_test::TempDir;
using namespace std::chrono_literals;

namespace {

d::Bytes hex(const std::string& text) {
    d::Bytes out;
    std::istringstream in(text);
    std::string byte;
    while (in >> byte) out.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
    return out;
}

void put(const wandb_test::fs::path& path, const std::string& text) {
    wandb_test::fs::create_directories(path.parent_path());
    wandb_test::write_text(path, text);
}

/// A fake /proc and /sys: a process started 10 s after boot (starttime 1000 ticks at 100 Hz, as
/// the kernel's USER_HZ) that used 15 s of user and 5 s of system time, 1280 resident pages and 7
/// threads, on 4 logical CPUs in 2 cores; with `cgroup`, a cgroup v2 leaf limited to 1 GiB (256
/// MiB used) and 1.5 CPUs, pinned to 2 CPUs.
struct FakeSystem {
    explicit FakeSystem(const wandb_test::fs::path& root, bool cgroup) : proc(root / "proc"), sys(root / "sys") {
        put(proc / "self/stat",
            "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194304 100 0 0 0 1500 500 0 0 20 0 7 0 1000 123456 1280 "
            "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        put(proc / "self/statm", "2500 1280 300 10 0 900 0\n");
        put(proc / "self/status", "Name:\tmy (odd) prog\nThreads:\t7\nCpus_allowed_list:\t0-1\n");
        put(proc / "meminfo",
            "MemTotal:       16384000 kB\nMemFree:         1000000 kB\nMemAvailable:    4096000 kB\n");
        put(proc / "cpuinfo", "processor\t: 0\n\nprocessor\t: 1\n\nprocessor\t: 2\n\nprocessor\t: 3\n\n");
        for (int cpu = 0; cpu < 4; ++cpu)
            put(sys / ("devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/core_cpus_list"),
                cpu < 2 ? "0-1\n" : "2-3\n");
        net_dev(1000, 1000, 5000, 3000);
        diskstats(2048, 0);
        const std::string cgroup_mount = (root / "cgroup").string();
        put(proc / "self/mountinfo",
            "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
            "41 31 0:38 /kubepods " +
                cgroup_mount + " rw,relatime - cgroup2 cgroup2 rw\n");
        put(proc / "self/cgroup", cgroup ? "0::/kubepods/pod1/box\n" : "1:cpu:/\n");
        put(root / "cgroup/pod1/box/memory.max", "1073741824\n");
        put(root / "cgroup/pod1/box/memory.current", "268435456\n");
        put(root / "cgroup/pod1/box/cpu.max", "150000 100000\n");
    }
    void net_dev(int lo_recv, int lo_sent, int eth_recv, int eth_sent) const {
        put(proc / "net/dev",
            "Inter-|   Receive                                                |  Transmit\n"
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
            "carrier compressed\n"
            "    lo: " +
                std::to_string(lo_recv) + " 1 0 0 0 0 0 0 " + std::to_string(lo_sent) +
                " 1 0 0 0 0 0 0\n"
                "  eth0: " +
                std::to_string(eth_recv) + " 9 0 0 0 0 0 0 " + std::to_string(eth_sent) + " 9 0 0 0 0 0 0\n");
    }
    void diskstats(int sectors_read, int sectors_written) const {
        put(proc / "diskstats",
            "   7       0 loop0 9 0 999 0 9 0 999 0 0 0 0 0 0 0 0 0 0\n"
            " 254       0 vda 10 0 " +
                std::to_string(sectors_read) + " 5 10 0 " + std::to_string(sectors_written) +
                " 5 0 10 10 0 0 0 0 0 0\n");
    }
    d::SystemPaths paths() const {
        d::SystemPaths s;
        s.proc = proc;
        s.sys = sys;
        s.disk_paths = {};
        s.seconds_since_boot = [] { return 30.0; };
        return s;
    }
    wandb_test::fs::path proc, sys;
};

std::map<std::string, double> by_name(const std::vector<d::Metric>& metrics) {
    std::map<std::string, double> out;
    for (const auto& m : metrics) out[m.name] = m.value;
    return out;
}

std::vector<std::string> names(const std::vector<d::Metric>& metrics) {
    std::vector<std::string> out;
    for (const auto& m : metrics) out.push_back(m.name);
    return out;
}

/// Collects warnings from any thread.
struct Warnings {
    std::mutex mutex;
    std::vector<std::string> lines;
    d::Warn sink() {
        return [this](const std::string& line) {
            std::lock_guard<std::mutex> lock(mutex);
            lines.push_back(line);
        };
    }
};

std::string command_output(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe)) out += buf;
    ::pclose(pipe);
    return out;
}

/// A name wandb-core's system monitor writes (system.go): the fixed ones, disk./.usage*, and
/// disk.<device>.in / .out.
bool wandb_system_metric_name(const std::string& name) {
    static const std::set<std::string> fixed = {
        "cpu", "proc.cpu.threads", "proc.memory.rssMB", "proc.memory.percent", "proc.memory.availableMB",
        "memory_percent", "disk./.usagePercent", "disk./.usageGB", "network.sent", "network.recv"};
    if (fixed.count(name)) return true;
    for (const std::string suffix : {".in", ".out"}) {
        if (name.size() <= 5 + suffix.size() || name.compare(0, 5, "disk.") != 0 ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string device = name.substr(5, name.size() - 5 - suffix.size());
        if (device.find('.') == std::string::npos) return true;
    }
    return false;
}

/// Whether `text` is a plain JSON number that Go's strconv.ParseFloat reads whole (how `wandb
/// leet` parses each Stats value_json).
bool parses_as_float(const std::string& text) {
    if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) return false;
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    return end && *end == '\0';
}

}  // namespace

TEST_CASE("A Stats record nests its timestamp and items under Record field 7", "[records]") {
    d::StatsRecord stats;
    stats.timestamp = {1700000015, 250000000};
    stats.items = {{"cpu", "12.5"}};
    // Record{num: 5 (08 05), stats (field 7, LEN: 3A) of 27 bytes:
    //   timestamp (field 2: 12) of 11 bytes: seconds 08 + varint(1700000015) = 8F E2 CF AA 06
    //     (1700000015 = 6*2^28 + 42*2^21 + 79*2^14 + 98*2^7 + 15), nanos 10 + varint(250000000) = 80 E5 9A 77;
    //   item (field 3: 1A) of 12 bytes: key 0A 03 "cpu", value_json (field 16: 82 01) 04 "12.5"}
    // stats_type SYSTEM is 0, the proto3 default: not on the wire.
    CHECK(d::encode_record(5, stats) ==
          hex("08 05 3A 1B 12 0B 08 8F E2 CF AA 06 10 80 E5 9A 77 1A 0C 0A 03 63 70 75 82 01 04 31 32 2E 35"));
}

TEST_CASE("decode_record names a Stats record's fields as wandb_internal.proto does", "[run_log][decode]") {
    d::StatsRecord stats;
    stats.timestamp = {1700000015, 250000000};
    stats.items = {{"cpu", "12.5"}, {"gpu.0.memory", "7"}};
    CHECK(wandb::decode_record(d::encode_record(5, stats)).dump() ==
          R"({"num":5,"stats":{"timestamp":{"seconds":1700000015,"nanos":250000000},)"
          R"("item":[{"key":"cpu","value_json":"12.5"},{"key":"gpu.0.memory","value_json":"7"}]}})");
    // An explicit stats_type (field 1) decodes to its enum name.
    CHECK(wandb::decode_record(hex("08 01 3A 02 08 00")).dump() == R"({"num":1,"stats":{"stats_type":"SYSTEM"}})");
    CHECK(wandb::decode_record(hex("3A 02 08 01")).dump() == R"({"stats":{"stats_type":1}})");
}

TEST_CASE("The Stats timestamp's nanos are checked", "[records][errors]") {
    d::StatsRecord stats;
    stats.timestamp = {1, 1000000000};
    CHECK_THROWS_MATCHES(
        d::encode_record(1, stats), wandb::ValidationError,
        Catch::Message("wandb::encode_record: StatsRecord.timestamp.nanos must be in 0..999999999, got "
                       "1000000000"));
}

TEST_CASE("/proc parsers read the fields proc(5) documents", "[system_metrics]") {
    const auto t = p::process_times(
        "77 (a) b (c)) R 1 2 3 4 5 6 7 8 9 10 111 222 13 14 15 16 17 18 333 20 21 22 23 24 25 26 27 28 29 30 31 32 "
        "33 34 35 36 37 38 444 41 42\n");
    CHECK(t.utime == 111);
    CHECK(t.stime == 222);
    CHECK(t.starttime == 333);
    CHECK(t.blkio == 444);
    CHECK(p::process_times("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20").blkio == 0);
    CHECK_THROWS_WITH(p::process_times("1 (x) S 1 2"), "malformed /proc/self/stat: 5 fields");
    CHECK_THROWS_WITH(p::process_times("garbage"), "malformed /proc/self/stat: no \")\"");

    CHECK(p::status_field("Name:\tx\nThreads:\t12\n", "Threads") == std::optional<std::string>("12"));
    CHECK(p::status_field("Name:\tx\n", "Threads") == std::nullopt);
    CHECK(p::cpu_list_size("0-3,8,10-11") == 7);
    CHECK(p::cpu_list_size("5") == 1);
    CHECK(p::cpu_list_size("3-1") == 0);
    CHECK(p::cpu_list_size("") == 0);
    CHECK(p::meminfo_bytes("MemTotal:  16 kB\nMemAvailable: 4 kB\n", "MemAvailable") ==
          std::optional<std::uint64_t>(4096));
    CHECK(p::meminfo_bytes("MemTotal:  16 kB\n", "MemAvailable") == std::nullopt);

    const auto net = p::network_bytes(
        "Inter-|   Receive\n face |bytes\n    lo: 100 1 0 0 0 0 0 0 200 1 0 0 0 0 0 0\n"
        "wlan0: 5 1 0 0 0 0 0 0 7 1 0 0 0 0 0 0\nbroken line\n");
    CHECK(net.recv == 105);
    CHECK(net.sent == 207);
    CHECK_THROWS_WITH(p::network_bytes("one line\n"), "malformed /proc/net/dev: fewer than 2 header lines");

    const auto disks = p::disk_bytes(" 254 0 vda 1 2 10 4 5 6 20 8 9 10 11 12 13 14 15 16 17\n 7 0 loop0 1 2\n");
    REQUIRE(disks.size() == 1);
    CHECK(disks.at("vda") == std::pair<std::uint64_t, std::uint64_t>{5120, 10240});

    const auto mounts = p::mounts(
        "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "41 31 0:38 /sub /mnt/with\\040space rw - cgroup2 cgroup2 rw\n");
    REQUIRE(mounts.size() == 2);
    CHECK(mounts[0].mount_point == "/");
    CHECK(mounts[0].source == "/dev/vda");
    CHECK(mounts[0].type == "ext4");
    CHECK(mounts[1].root == "/sub");
    CHECK(mounts[1].mount_point == "/mnt/with space");
    CHECK(mounts[1].type == "cgroup2");

    CHECK(p::cgroup_v2_path("12:cpu:/a\n0::/user.slice/x\n") == std::optional<std::string>("/user.slice/x"));
    CHECK(p::cgroup_v2_path("12:cpu:/a\n") == std::nullopt);
    // wandb-core's cgroupDir cases: no bind mount, a bind-mounted sub-tree, the sub-tree's root itself.
    CHECK(p::cgroup_dir({"/", "/sys/fs/cgroup", "cgroup2", "cgroup2"}, "/user.slice/x") ==
          "/sys/fs/cgroup/user.slice/x");
    CHECK(p::cgroup_dir({"/kubepods/pod1", "/sys/fs/cgroup", "cgroup2", ""}, "/kubepods/pod1/c2") ==
          "/sys/fs/cgroup/c2");
    CHECK(p::cgroup_dir({"/kubepods/pod1", "/sys/fs/cgroup", "cgroup2", ""}, "/kubepods/pod1") == "/sys/fs/cgroup");
    CHECK(p::cgroup_dir({"/", "/sys/fs/cgroup", "cgroup2", ""}, "/") == "/sys/fs/cgroup");
    CHECK(p::cgroup_number("1073741824\n") == std::optional<std::uint64_t>(1073741824));
    CHECK(p::cgroup_number("max\n") == std::nullopt);
    CHECK(p::cgroup_number("") == std::nullopt);
    CHECK(p::cpu_max_limit("150000 100000\n") == 1.5);
    CHECK(p::cpu_max_limit("max 100000\n") == 0);
    CHECK(p::cpu_max_limit("100000\n") == 0);
}

TEST_CASE("System metrics from a fake /proc follow wandb-core's formulas, with cgroup v2 limits", "[system_metrics]") {
    TempDir tmp;
    const FakeSystem fake(tmp.path(), true);
    d::SystemSampler sampler(fake.paths());
    REQUIRE(sampler.cgroup());
    CHECK(sampler.cgroup()->memory_limit == 1073741824);
    CHECK(sampler.cgroup()->cpu_limit == 1.5);  // min(cpu.max 1.5, Cpus_allowed_list 2 of 4 logical CPUs)
    CHECK(sampler.physical_cores() == 2);
    CHECK(sampler.logical_cpus() == 4);

    fake.net_dev(1500, 1500, 9000, 3500);
    fake.diskstats(4096, 1024);
    Warnings warnings;
    std::vector<d::Metric> m;
    sampler.sample(m, warnings.sink());
    CHECK(warnings.lines.empty());
    CHECK(names(m) == std::vector<std::string>{"network.sent", "network.recv", "disk.vda.in", "disk.vda.out",
                                               "memory_percent", "proc.memory.availableMB", "proc.memory.rssMB",
                                               "proc.memory.percent", "cpu", "proc.cpu.threads"});
    const auto v = by_name(m);
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    CHECK(v.at("network.sent") == 1000);  // (1500 + 3500) - (1000 + 3000), every interface summed
    CHECK(v.at("network.recv") == 4500);
    CHECK(v.at("disk.vda.in") == 1.0);  // 2048 more sectors of 512 bytes = 1 MiB
    CHECK(v.at("disk.vda.out") == 0.5);
    CHECK(v.at("memory_percent") == 25.0);  // memory.current / memory.max
    CHECK(v.at("proc.memory.availableMB") == 768.0);
    CHECK(v.at("proc.memory.rssMB") == 1280 * page / 1048576);
    CHECK(v.at("proc.memory.percent") == Approx(1280 * page / 1073741824 * 100));
    // 100 x (1500 + 500) ticks / (30 s since boot - 1000 ticks at start) / 1.5 CPUs
    CHECK(v.at("cpu") == Approx(100 * (2000 / ticks) / (30 - 1000 / ticks) / 1.5));
    CHECK(v.at("proc.cpu.threads") == 7);
    for (const auto& metric : m) CHECK_FALSE(metric.integer);
}

TEST_CASE("Without a cgroup limit, memory comes from /proc/meminfo and CPU is per physical core", "[system_metrics]") {
    TempDir tmp;
    const FakeSystem fake(tmp.path(), false);
    d::SystemSampler sampler(fake.paths());
    CHECK_FALSE(sampler.cgroup());
    std::vector<d::Metric> m;
    sampler.sample(m, {});
    const auto v = by_name(m);
    CHECK(v.at("memory_percent") == 75.0);  // (16384000 - 4096000) / 16384000 kB
    CHECK(v.at("proc.memory.availableMB") == 4000.0);
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    CHECK(v.at("proc.memory.percent") == Approx(1280 * page / (16384000.0 * 1024) * 100));
    CHECK(v.at("cpu") == Approx(100 * (2000 / ticks) / (30 - 1000 / ticks) / 2));
}

TEST_CASE("A metric source that fails is dropped with one warning; the others go on", "[system_metrics][errors]") {
    TempDir tmp;
    const FakeSystem fake(tmp.path(), false);
    wandb_test::fs::remove(fake.proc / "net/dev");
    d::SystemSampler sampler(fake.paths());
    Warnings warnings;
    std::vector<d::Metric> first, second, third;
    sampler.sample(first, warnings.sink());
    REQUIRE(warnings.lines.size() == 1);
    CHECK(warnings.lines[0] == "system metrics network.sent, network.recv: cannot read " +
                                   (fake.proc / "net/dev").string() +
                                   ": No such file or directory; not sampled any more");
    CHECK(by_name(first).count("network.sent") == 0);
    CHECK(by_name(first).count("cpu") == 1);

    put(fake.proc / "self/stat", "garbage");
    fake.net_dev(1, 1, 1, 1);  // back, but the source stays dropped
    sampler.sample(second, warnings.sink());
    REQUIRE(warnings.lines.size() == 2);
    CHECK(warnings.lines[1] ==
          "system metrics cpu, proc.cpu.threads, proc.memory.rssMB, proc.memory.percent: malformed /proc/self/stat: no "
          "\")\"; not sampled any more");
    CHECK(names(second) ==
          std::vector<std::string>{"disk.vda.in", "disk.vda.out", "memory_percent", "proc.memory.availableMB"});
    sampler.sample(third, warnings.sink());
    CHECK(warnings.lines.size() == 2);
    CHECK(names(third) == names(second));
}

TEST_CASE("System metrics of this process agree with ps, free and df", "[system_metrics]") {
    d::SystemSampler sampler;
    Warnings warnings;
    std::vector<d::Metric> m;
    sampler.sample(m, warnings.sink());
    for (const auto& w : warnings.lines) WARN("warning: " << w);
    const auto v = by_name(m);
    for (const char* name :
         {"cpu", "proc.cpu.threads", "proc.memory.rssMB", "proc.memory.percent", "memory_percent",
          "proc.memory.availableMB", "disk./.usagePercent", "disk./.usageGB", "network.sent", "network.recv"})
        CHECK(v.count(name) == 1);
    for (const auto& metric : m) {
        CAPTURE(metric.name, metric.value);
        CHECK(wandb_system_metric_name(metric.name));
        CHECK(std::isfinite(metric.value));
        CHECK(metric.value >= 0);
    }
    const double logical = static_cast<double>(sampler.logical_cpus());
    CHECK(v.at("cpu") <= 100 * logical);  // per physical core: up to 100 x SMT threads per core
    CHECK(v.at("memory_percent") <= 100);
    CHECK(v.at("proc.memory.percent") <= 100);
    CHECK(v.at("disk./.usagePercent") <= 100);

    // procps: resident KiB and threads of this process; "available" of the machine.
    std::istringstream ps(command_output("ps -o rss=,nlwp= -p " + std::to_string(::getpid())));
    double rss_kib = -1, threads = -1;
    ps >> rss_kib >> threads;
    REQUIRE(rss_kib > 0);
    CHECK(v.at("proc.memory.rssMB") == Approx(rss_kib / 1024).margin(8));
    CHECK(v.at("proc.cpu.threads") == threads);
    std::istringstream free_out(command_output("free -b | awk '/^Mem:/ {print $2, $7}'"));
    double total = 0, available = 0;
    free_out >> total >> available;
    REQUIRE(total > 0);
    if (!sampler.cgroup() || sampler.cgroup()->memory_limit == 0) {
        CHECK(v.at("memory_percent") == Approx((total - available) / total * 100).margin(2));
        CHECK(v.at("proc.memory.availableMB") == Approx(available / 1048576).margin(total / 1048576 * 0.02));
    }
    // coreutils df: used and available bytes of /, the usage percent as W&B computes it.
    std::istringstream df(command_output("df -B1 --output=used,avail / | tail -n 1"));
    double used = 0, avail = 0;
    df >> used >> avail;
    REQUIRE(used > 0);
    CHECK(v.at("disk./.usagePercent") == Approx(used / (used + avail) * 100).margin(0.5));
    CHECK(v.at("disk./.usageGB") == Approx(used / 1073741824).margin(1));
}

TEST_CASE("The sampler thread appends one Stats record per interval, the first after one interval, until stopped",
          "[system_metrics][threads]") {
    std::mutex mutex;
    std::vector<std::pair<std::chrono::steady_clock::time_point, d::StatsRecord>> records;
    Warnings warnings;
    const auto start = std::chrono::steady_clock::now();
    d::SystemMonitor monitor(20ms, d::SystemPaths{}, nullptr, warnings.sink());
    monitor.start([&](const d::StatsRecord& r) {
        std::lock_guard<std::mutex> lock(mutex);
        records.emplace_back(std::chrono::steady_clock::now(), r);
    });
    std::this_thread::sleep_for(150ms);
    monitor.stop();
    std::size_t count = 0;
    {
        std::lock_guard<std::mutex> lock(mutex);
        count = records.size();
    }
    std::this_thread::sleep_for(60ms);
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(records.size() == count);  // nothing after stop
    REQUIRE(count >= 2);
    CHECK(count <= 8);
    CHECK(records.front().first - start >= 20ms);
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    for (const auto& [when, r] : records) {
        REQUIRE(r.timestamp);
        CHECK(std::abs(r.timestamp->seconds - now.count()) < 60);
        std::set<std::string> keys;
        for (const auto& item : r.items) keys.insert(item.key);
        CHECK(keys.count("cpu") == 1);
        CHECK(keys.count("memory_percent") == 1);
    }
    CHECK(monitor.samples() == count);
}

TEST_CASE("A failing append is reported once and sampling goes on", "[system_metrics][threads]") {
    Warnings warnings;
    std::atomic<int> calls{0};
    d::SystemMonitor monitor(10ms, d::SystemPaths{}, nullptr, warnings.sink());
    monitor.start([&](const d::StatsRecord&) {
        ++calls;
        throw wandb::IoError("wandb::LogWriter: cannot write /x: No space left on device");
    });
    while (calls.load() < 3) std::this_thread::sleep_for(5ms);
    monitor.stop();
    std::lock_guard<std::mutex> lock(warnings.mutex);
    REQUIRE(warnings.lines.size() == 1);
    CHECK(warnings.lines[0] ==
          "cannot write system metrics: wandb::LogWriter: cannot write /x: No space left on device; further failures "
          "are not reported");
}

TEST_CASE("A run longer than one interval holds Stats records before its Exit record, with W&B's names",
          "[offline_run][system_metrics][threads]") {
    TempDir tmp;
    auto options = wandb_test::quiet_run_options(tmp.path());
    options.system_metrics_interval = 100ms;
    wandb::OfflineRun run(options);
    run.log({{"loss", 0.5}});
    std::this_thread::sleep_for(350ms);
    run.log({{"loss", 0.25}});
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    REQUIRE_FALSE(log.problem);
    std::vector<std::string> kinds;
    for (const auto& r : log.records)
        for (auto it = r.begin(); it != r.end(); ++it)
            if (it.key() != "num") kinds.push_back(it.key());
    const auto stats = log.of_kind("stats");
    REQUIRE(stats.size() >= 2);
    REQUIRE(stats.size() <= 4);
    const auto exit_at = std::find(kinds.begin(), kinds.end(), "exit") - kinds.begin();
    const auto last_stats = std::find(kinds.rbegin(), kinds.rend(), "stats").base() - kinds.begin() - 1;
    CHECK(last_stats < exit_at);
    for (const auto& s : stats) {
        REQUIRE(s.contains("timestamp"));
        CHECK(s["timestamp"]["seconds"].get<std::int64_t>() > 1700000000);
        std::set<std::string> keys;
        for (const auto& item : s["item"]) {
            keys.insert(item["key"].get<std::string>());
            // wandb leet parses each value_json with Go's strconv.ParseFloat (quotes stripped).
            CHECK(parses_as_float(item["value_json"].get<std::string>()));
        }
        for (const char* name :
             {"cpu", "proc.cpu.threads", "proc.memory.rssMB", "proc.memory.percent", "memory_percent",
              "proc.memory.availableMB", "disk./.usagePercent", "disk./.usageGB", "network.sent", "network.recv"})
            CHECK(keys.count(name) == 1);
    }
}

TEST_CASE("With system_metrics off a run has no Stats record, and a too short interval is refused",
          "[offline_run][system_metrics]") {
    TempDir tmp;
    auto options = wandb_test::quiet_run_options(tmp.path());
    options.system_metrics = false;
    options.system_metrics_interval = 100ms;
    {
        wandb::OfflineRun run(options);
        std::this_thread::sleep_for(250ms);
        run.finish();
        CHECK(wandb_test::read_back(run.log_path()).of_kind("stats").empty());
    }
    options.system_metrics = true;
    options.system_metrics_interval = 99ms;
    TempDir other;
    options.root = other.path();
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Catch::Message("wandb::OfflineRun: option system_metrics_interval is 99 ms; W&B samples at "
                                        "most every 100 ms"));
    CHECK(wandb_test::list_files(other.path()).empty());
}

}  // namespace test_system_metrics
