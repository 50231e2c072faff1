// Where the microseconds of a scalar `OfflineRun::log({{"loss", x}, {"accuracy", y}})` go: times,
// one by one, the steps offline_run.hpp takes for such a call (as of the commit this file came
// with), re-enacted with the library's detail:: pieces, then the whole public call. A profiling
// aid for bench/README.md, not a benchmark with targets; it uses detail:: names, so it is built
// only on request (`cmake --build DIR --target bench_anatomy`) and may need updating when the
// log path changes.
//
//   bench_anatomy DIR    prints "<step> <ns per call>" lines: medians of 50,000 calls timed one by one
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wandb/wandb.hpp>

#include "bench_inputs.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kCalls = 50000;

/// Keeps the compiler from dropping a computed value.
template <class T>
void keep(const T& value) {
    asm volatile("" : : "g"(&value) : "memory");
}

/// Median ns of one call fn(i), each of kCalls calls timed on its own (a median is not moved by
/// the calls a busy machine preempts), minus the median of timing an empty call.
double ns_per_call(const std::function<void(int)>& fn) {
    static const double empty = [] {
        std::vector<double> t(kCalls);
        for (int k = 0; k < kCalls; ++k) {
            const auto a = Clock::now();
            t[std::size_t(k)] = std::chrono::duration<double, std::nano>(Clock::now() - a).count();
        }
        return bench::median(t);
    }();
    std::vector<double> t(kCalls);
    for (int k = 0; k < kCalls; ++k) {
        const auto a = Clock::now();
        fn(k);
        t[std::size_t(k)] = std::chrono::duration<double, std::nano>(Clock::now() - a).count();
    }
    return std::max(0.0, bench::median(t) - empty);
}

void report(const char* step, double ns) { std::printf("%-62s %8.0f\n", step, ns); }

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_anatomy DIR\n");
        return 2;
    }
    namespace d = wandb::detail;
    using wandb::Json;
    const fs::path dir = fs::absolute(argv[1]) / "anatomy";
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto x = [](int i) { return 1.0 / (1.0 + double(i) * 1e-3); };
    auto y = [](int i) { return double(i) / 20000.0; };

    std::printf("%-62s %8s\n", "step (a log of 2 scalars does each once)", "ns, median");
    report("Row {{\"loss\", x}, {\"accuracy\", y}}: build + destroy", ns_per_call([&](int i) {
               wandb::Row row{{"loss", x(i)}, {"accuracy", y(i)}};
               keep(row);
           }));
    const wandb::Row row{{"loss", 0.5}, {"accuracy", 0.25}};
    report("collect: key checks of 2 keys (+ message strings per key)", ns_per_call([&](int) {
               for (const auto& [key, value] : row) {
                   const std::string where = key;
                   const std::string named = "wandb::OfflineRun::log: key " + d::quoted(where);
                   d::require_name(key, "wandb::OfflineRun::log", "key");
                   keep(named);
                   const Json& json = std::get<Json>(value.get());
                   keep(json);
               }
           }));
    std::mutex mutex;
    report("2x lock/unlock of the run mutex", ns_per_call([&](int) {
               { std::lock_guard<std::mutex> lock(mutex); }
               std::lock_guard<std::mutex> lock(mutex);
           }));
    report("materialize: values Json object of 2 (copies)", ns_per_call([&](int) {
               Json j = Json::object();
               for (const auto& [key, value] : row) j[key] = std::get<Json>(value.get());
               keep(j);
           }));
    const auto started = Clock::now();
    report("clocks: steady_clock (_runtime) + system_clock (_timestamp)", ns_per_call([&](int) {
               const double runtime = std::chrono::duration<double>(Clock::now() - started).count();
               const double stamp = d::unix_seconds(std::chrono::system_clock::now());
               keep(runtime);
               keep(stamp);
           }));
    report("meta Json {_step, _runtime, _timestamp}", ns_per_call([&](int i) {
               Json meta = Json::object();
               meta["_step"] = i;
               meta["_runtime"] = 1.25 + i;
               meta["_timestamp"] = 1.7e9 + i;
               keep(meta);
           }));
    Json values = Json::object();
    values["loss"] = 0.123456789;
    values["accuracy"] = 0.987654321;
    values["_step"] = 12345;
    values["_runtime"] = 12.3456789;
    values["_timestamp"] = 1733100000.123456;
    report("json_text of the 5 values (nlohmann dump, grisu2)", ns_per_call([&](int) {
               for (auto it = values.begin(); it != values.end(); ++it) {
                   std::string text = d::json_text(it.value());
                   keep(text);
               }
           }));
    std::vector<d::RecordItem> items;
    for (auto it = values.begin(); it != values.end(); ++it) items.push_back({it.key(), {}, d::json_text(it.value())});
    report("History items + Summary items (5 + 5 RecordItem copies)", ns_per_call([&](int) {
               d::HistoryRecord history;
               d::SummaryRecord summary;
               for (const auto& item : items) {
                   history.items.push_back(item);
                   summary.update.push_back(history.items.back());
               }
               keep(history);
               keep(summary);
           }));
    d::HistoryRecord history{items, 12345};
    d::SummaryRecord summary{items, {}};
    report("encode_record(History) (protobuf, nested vectors)", ns_per_call([&](int i) {
               d::Bytes b = d::encode_record(i + 1, history);
               keep(b);
           }));
    report("encode_record(Summary)", ns_per_call([&](int i) {
               d::Bytes b = d::encode_record(i + 1, summary);
               keep(b);
           }));
    const std::size_t history_bytes = d::encode_record(100000, history).size();
    const std::size_t summary_bytes = d::encode_record(100001, summary).size();
    std::vector<d::Bytes> records = {d::encode_record(100000, history), d::encode_record(100001, summary)};
    // A log path as long as a real run's: <root>/wandb/offline-run-<date>-<id>/run-<id>.wandb
    const fs::path run_dir = dir / "wandb" / "offline-run-20240822_161834-abcd1234";
    fs::create_directories(run_dir);
    d::LogWriter writer((run_dir / "run-abcd1234.wandb").string());
    report("check_writable: stat(path) + fstat(fd), done 2x per log", ns_per_call([&](int) { writer.check_writable(); }));
    report("   (once in log_row, once in append_all)", 0);
    struct stat st {};
    const int fd = ::open((run_dir / "run-abcd1234.wandb").c_str(), O_RDONLY | O_CLOEXEC);
    report("   of which fstat(fd) alone", ns_per_call([&](int) {
               ::fstat(fd, &st);
               keep(st);
           }));
    ::close(fd);
    report("append_all of History + Summary (check_writable, frame, CRC,", ns_per_call([&](int) { writer.append_all(records); }));
    report("   one write(2))", 0);
    const std::vector<d::Bytes> history_only = {records[0]};
    report("append_all of History alone", ns_per_call([&](int) { writer.append_all(history_only); }));
    std::vector<std::uint8_t> framed(history_bytes + summary_bytes + 14, 0x5a);
    const int raw = ::open((run_dir / "raw.bin").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    report("   of which write(2) of those bytes alone", ns_per_call([&](int) {
               const ssize_t w = ::write(raw, framed.data(), framed.size());
               keep(w);
           }));
    ::close(raw);
    report("   of which CRC-32 of both records", ns_per_call([&](int) {
               std::uint32_t crc = d::crc32(0, records[0].data(), records[0].size());
               crc = d::crc32(crc, records[1].data(), records[1].size());
               keep(crc);
           }));
    Json summary_state = values;
    report("summary_ update: 5 x ordered_json operator[] = value", ns_per_call([&](int) {
               for (auto it = values.begin(); it != values.end(); ++it) summary_state[it.key()] = it.value();
           }));
    report("empty encode(): std::vector<std::function> + pool_.run", ns_per_call([&](int) {
               std::vector<std::function<void()>> tasks;
               std::vector<std::string> paths;
               std::vector<bool> existed(paths.size());
               keep(tasks);
               keep(existed);
           }));

    wandb::OfflineRunOptions options;
    options.root = dir / "run";
    options.quiet = true;
    options.media_threads = 1;
    {
        wandb::OfflineRun run(options);
        report("whole OfflineRun::log({{loss, x}, {accuracy, y}})", ns_per_call([&](int i) {
                   run.log({{"loss", x(i)}, {"accuracy", y(i)}});
               }));
    }
    std::printf("record sizes: History %zu B, Summary %zu B (+7 B chunk header each)\n", history_bytes, summary_bytes);
    fs::remove_all(dir);
    return 0;
}
