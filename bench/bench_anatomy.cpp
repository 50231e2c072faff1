// Where the microseconds of a scalar `OfflineRun::log({{"loss", x}, {"accuracy", y}})` go: times,
// one by one, the steps run_core.hpp and log_call.hpp take for such a call, re-enacted with the
// library's detail:: pieces, each beside the way the library did it before issue 18's scalar work
// (the old pieces are kept below, in namespace `before`, as the baseline), then the whole public
// call. A profiling aid for bench/README.md, not a benchmark with targets; it uses detail:: names,
// so it is built only on request (`cmake --build DIR --target bench_anatomy`) and may need
// updating when the log path changes.
//
//   bench_anatomy DIR    prints "<step> <before ns> <now ns>" lines: medians of 50,000 calls timed
//                        one by one (each pair measured in the same run)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wandb/wandb.hpp>
#include <wandb/detail/nested_items.hpp>
#include <wandb/internal/log_call.hpp>

#include "bench_inputs.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
namespace d = wandb::detail;
using wandb::Json;

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

void report(const char* step, double before_ns, double now_ns) {
    if (before_ns < 0)
        std::printf("%-64s %8s %8.0f\n", step, "", now_ns);
    else if (now_ns < 0)
        std::printf("%-64s %8.0f %8s\n", step, before_ns, "");
    else
        std::printf("%-64s %8.0f %8.0f\n", step, before_ns, now_ns);
}

/// The pieces of the scalar log path as they were before (commit a1c4640), the baseline.
namespace before {

/// json_text: every scalar through nlohmann's dump() (a serializer and a string each).
void append_json_text(std::string& out, const Json& value) {
    switch (value.type()) {
        case Json::value_t::object: {
            out += '{';
            bool first = true;
            for (auto it = value.begin(); it != value.end(); ++it) {
                if (!first) out += ',';
                first = false;
                out += Json(it.key()).dump();
                out += ':';
                before::append_json_text(out, it.value());
            }
            out += '}';
            return;
        }
        case Json::value_t::array: {
            out += '[';
            bool first = true;
            for (const Json& element : value) {
                if (!first) out += ',';
                first = false;
                before::append_json_text(out, element);
            }
            out += ']';
            return;
        }
        case Json::value_t::number_float: {
            const double v = value.get<double>();
            if (std::isnan(v)) out += "NaN";
            else if (std::isinf(v)) out += v > 0 ? "Infinity" : "-Infinity";
            else out += value.dump();
            return;
        }
        default: out += value.dump(); return;
    }
}
std::string json_text(const Json& value) {
    std::string out;
    before::append_json_text(out, value);
    return out;
}

/// append_leaf_items with the old json_text.
void append_leaf_items(const Json& value, std::vector<std::string>& path, std::vector<d::RecordItem>& out) {
    if (!value.is_object()) {
        out.push_back({std::string(), path, json_text(value)});
        return;
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
        path.push_back(it.key());
        before::append_leaf_items(it.value(), path, out);
        path.pop_back();
    }
}

namespace p = d::proto;
namespace si = d::proto::schema_impl;

d::Bytes encode_message(const p::Message& m, const void* object, const si::Holder& holder);

/// The old encoder: every nested message encoded into a vector of its own, then copied into its
/// parent's.
void encode_elements(d::ProtoEncoder& out, const p::Message& owner, const p::Field& f, p::Elements elements,
                     const void* object, const si::Holder& holder) {
    for (std::size_t i = 0;; ++i) {
        const void* v = elements(object, i);
        if (!v) return;
        switch (f.kind) {
            case p::Kind::string: {
                const auto& s = *static_cast<const std::string*>(v);
                if (const auto bad = d::first_invalid_utf8(s)) keep(bad);  // the old check: byte by byte
                if (f.label == p::Label::repeated)
                    out.len_field(f.number, s.data(), s.size());
                else
                    out.string_field(f.number, s);
                break;
            }
            case p::Kind::int64: out.int64_field(f.number, si::checked(*static_cast<const std::int64_t*>(v), owner, f, holder)); break;
            case p::Kind::int32:
                out.int32_field(f.number, static_cast<std::int32_t>(si::checked(*static_cast<const std::int32_t*>(v), owner, f, holder)));
                break;
            case p::Kind::uint32: out.uint64_field(f.number, *static_cast<const std::uint32_t*>(v)); break;
            case p::Kind::uint64: out.uint64_field(f.number, *static_cast<const std::uint64_t*>(v)); break;
            case p::Kind::boolean: out.bool_field(f.number, *static_cast<const bool*>(v)); break;
            case p::Kind::enumeration: {
                std::int32_t n;
                std::memcpy(&n, v, sizeof n);
                out.int32_field(f.number, n);
                break;
            }
            case p::Kind::message: out.message_field(f.number, before::encode_message(*f.message, v, {owner.name, f.name})); break;
        }
    }
}

d::Bytes encode_message(const p::Message& m, const void* object, const si::Holder& holder) {
    d::ProtoEncoder out;
    for (const p::Field& f : m) {
        if (!f.bound) continue;
        if (!f.wraps) {
            before::encode_elements(out, m, f, f.elements, object, holder);
            continue;
        }
        d::ProtoEncoder inner;
        before::encode_elements(inner, *f.message, *f.wraps, f.elements, object, {m.name, f.name});
        if (f.optional_member ? f.elements(object, 0) != nullptr : !inner.bytes().empty())
            out.message_field(f.number, inner.bytes());
    }
    return out.take();
}

template <class Body>
d::Bytes encode_record(std::int64_t num, const Body& body) {
    constexpr const p::Field* field = &p::field_for<Body>(d::schema::record);
    d::ProtoEncoder e;
    e.int64_field(1, num);
    e.message_field(field->number, before::encode_message(*field->message, &body, {}));
    return e.take();
}

/// History and Summary as commit() built them: RecordItems, the Summary a copy, two encodings.
std::vector<d::Bytes> row_records(std::int64_t num, const Json& values, const Json& meta, std::int64_t step,
                                  std::int64_t runtime) {
    d::HistoryRecord history;
    std::vector<std::string> path;
    before::append_leaf_items(values, path, history.items);
    before::append_leaf_items(meta, path, history.items);
    d::SummaryRecord summary{history.items, {}};
    summary.update.push_back({std::string(), {"_wandb", "runtime"}, std::to_string(runtime)});
    history.step = step;
    return {before::encode_record(num, history), before::encode_record(num + 1, summary)};
}

/// LogWriter::check_writable as it was: stat(path) and fstat(fd), compared.
void check_writable(const std::string& path, int fd) {
    struct stat by_path {}, by_fd {};
    if (::stat(path.c_str(), &by_path) != 0 || ::fstat(fd, &by_fd) != 0) throw std::runtime_error("gone");
    if (by_path.st_dev != by_fd.st_dev || by_path.st_ino != by_fd.st_ino) throw std::runtime_error("replaced");
}

}  // namespace before

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_anatomy DIR\n");
        return 2;
    }
    const fs::path dir = fs::absolute(argv[1]) / "anatomy";
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto x = [](int i) { return 1.0 / (1.0 + double(i) * 1e-3); };
    auto y = [](int i) { return double(i) / 20000.0; };

    std::printf("%-64s %8s %8s\n", "step (a log of 2 scalars does each once), median ns", "before", "now");
    report("Row {{\"loss\", x}, {\"accuracy\", y}}: build + destroy", -1, ns_per_call([&](int i) {
               wandb::Row row{{"loss", x(i)}, {"accuracy", y(i)}};
               keep(row);
           }));
    const wandb::Row row{{"loss", 0.5}, {"accuracy", 0.25}};
    report("LogCall(row): collect (key checks; before: + message strings)", ns_per_call([&](int) {
               std::vector<const std::string*> seen;
               for (const auto& [key, value] : row) {
                   const std::string where = key;
                   const std::string named = "wandb::OfflineRun::log: key " + d::quoted(where);
                   d::require_name(key, "wandb::OfflineRun::log", "key");
                   keep(named);
                   seen.push_back(&key);
                   d::check_json_value(std::get<Json>(value.get()), "wandb::OfflineRun::log", "value of " + d::quoted(where));
               }
               keep(seen);
           }),
           ns_per_call([&](int) {
               d::LogCall call(row);
               keep(call);
           }));
    std::mutex mutex;
    report("2x lock/unlock of the run mutex", -1, ns_per_call([&](int) {
               { std::lock_guard<std::mutex> lock(mutex); }
               std::lock_guard<std::mutex> lock(mutex);
           }));
    report("payloads: values Json object of 2 (copies)", -1, ns_per_call([&](int) {
               Json j = Json::object();
               for (const auto& [key, value] : row) j[key] = std::get<Json>(value.get());
               keep(j);
           }));
    const auto started = Clock::now();
    report("clocks: steady_clock (_runtime) + system_clock (_timestamp)", -1, ns_per_call([&](int) {
               const double runtime = std::chrono::duration<double>(Clock::now() - started).count();
               const double stamp = d::unix_seconds(std::chrono::system_clock::now());
               keep(runtime);
               keep(stamp);
           }));
    report("meta Json {_step, _runtime, _timestamp}", -1, ns_per_call([&](int i) {
               Json meta = Json::object();
               meta["_step"] = i;
               meta["_runtime"] = 1.25 + i;
               meta["_timestamp"] = 1.7e9 + i;
               keep(meta);
           }));
    Json values = Json::object();
    values["loss"] = 0.123456789;
    values["accuracy"] = 0.987654321;
    Json meta = Json::object();
    meta["_step"] = 12345;
    meta["_runtime"] = 12.3456789;
    meta["_timestamp"] = 1733100000.123456;
    Json all = values;
    for (auto it = meta.begin(); it != meta.end(); ++it) all[it.key()] = it.value();
    report("json_text of the 5 values", ns_per_call([&](int) {
               for (auto it = all.begin(); it != all.end(); ++it) {
                   std::string text = before::json_text(it.value());
                   keep(text);
               }
           }),
           ns_per_call([&](int) {
               for (auto it = all.begin(); it != all.end(); ++it) {
                   std::string text = d::json_text(it.value());
                   keep(text);
               }
           }));
    report("History + Summary records: items, copies, encoding", ns_per_call([&](int i) {
               auto r = before::row_records(i + 1, values, meta, 12345, 12);
               keep(r);
           }),
           ns_per_call([&](int i) {
               std::vector<d::Bytes> r;
               d::append_row_records(r, i + 1, values, meta, 12345, 12);
               keep(r);
           }));
    std::vector<d::Bytes> records;
    d::append_row_records(records, 100000, values, meta, 12345, 12);
    if (records != before::row_records(100000, values, meta, 12345, 12)) {
        std::fprintf(stderr, "bench_anatomy: the two encodings differ\n");
        return 1;
    }
    // A log path as long as a real run's: <root>/wandb/offline-run-<date>-<id>/run-<id>.wandb
    const fs::path run_dir = dir / "wandb" / "offline-run-20240822_161834-abcd1234";
    fs::create_directories(run_dir);
    const std::string log_path = (run_dir / "run-abcd1234.wandb").string();
    d::LogWriter writer(log_path);
    const int fd = ::open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
    report("path checks (before: stat + fstat, twice; now: one stat)", ns_per_call([&](int) {
               before::check_writable(log_path, fd);
               before::check_writable(log_path, fd);
           }),
           ns_per_call([&](int) { writer.check_writable(); }));
    struct stat st {};
    report("   of which fstat(fd) alone", ns_per_call([&](int) {
               ::fstat(fd, &st);
               keep(st);
           }), -1);
    ::close(fd);
    report("append_all of History + Summary (check, frame, CRC, write(2))", -1,
           ns_per_call([&](int) { writer.append_all(records); }));
    std::vector<std::uint8_t> framed(records[0].size() + records[1].size() + 14, 0x5a);
    const int raw = ::open((run_dir / "raw.bin").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    report("   of which write(2) of those bytes alone", -1, ns_per_call([&](int) {
               const ssize_t w = ::write(raw, framed.data(), framed.size());
               keep(w);
           }));
    ::close(raw);
    report("   of which CRC-32 of both records", -1, ns_per_call([&](int) {
               std::uint32_t crc = d::crc32(0, records[0].data(), records[0].size());
               crc = d::crc32(crc, records[1].data(), records[1].size());
               keep(crc);
           }));
    Json summary_state = all;
    report("summary_ update: merge_leaves of values and meta", -1, ns_per_call([&](int) {
               d::merge_leaves(summary_state, values);
               d::merge_leaves(summary_state, meta);
           }));

    wandb::OfflineRunOptions options;
    options.root = dir / "run";
    options.quiet = true;
    options.media_threads = 1;
    {
        wandb::OfflineRun run(options);
        report("whole OfflineRun::log({{loss, x}, {accuracy, y}})", -1, ns_per_call([&](int i) {
                   run.log({{"loss", x(i)}, {"accuracy", y(i)}});
               }));
    }
    std::printf("record sizes: History %zu B, Summary %zu B (+7 B chunk header each)\n", records[0].size(),
                records[1].size());
    fs::remove_all(dir);
    return 0;
}
