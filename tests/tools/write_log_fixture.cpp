// Writes a `.wandb` log with every record type the library emits, and the layouts that matter (a
// record over three blocks, records ending 0..7 bytes before a block end), for tests/tools/wandb_log.py
// to check independently. Usage: write_log_fixture <dir>. Creates in <dir>:
//   run-fixture.wandb    the log
//   expected.jsonl       {"offset":N,"record":decode_record(...)} per record, in order
//   run-corrupt.wandb    the log with one byte flipped inside the chunk at block boundary B,
//                        and run-corrupt.expect = "corrupt B"
//   run-truncated.wandb  the log cut inside its last record (at offset R), and
//                        run-truncated.expect = "truncated R"
//   run-rows.wandb       the log of an OfflineRun that logged the rows of rows.jsonl (written out
//                        by hand below, as wandb-core keeps them: an empty object has no leaf),
//                        for wandb_log.py --rows to reassemble from their nested_key items
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <wandb/detail/log_writer.hpp>
#include <wandb/detail/records.hpp>
#include <wandb/record_json.hpp>
#include <wandb/offline_run.hpp>
#include <wandb/run_log.hpp>

namespace fs = std::filesystem;
namespace d = wandb::detail;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::uint64_t kBlock = 32768;

d::HistoryRecord history_row(std::int64_t step, const std::string& pad) {
    d::HistoryRecord h;
    h.items = {{"", {"loss"}, std::to_string(1.0 / static_cast<double>(step + 2))},
               {"", {"mAP@0.5 \xE2\x80\x94 val \xF0\x9F\x90\xB1"}, "0.5"},
               {"", {"_runtime"}, "1.25"},
               {"", {"_timestamp"}, "1700000000.5"},
               {"", {"_step"}, std::to_string(step)}};
    if (!pad.empty()) h.items.push_back({"", {"pad"}, "\"" + pad + "\""});
    h.step = step;
    return h;
}

class Fixture {
public:
    explicit Fixture(const std::string& path) : writer_(path) {}

    std::uint64_t add(const Bytes& record) {
        const std::uint64_t offset = writer_.append(record);
        offsets_.push_back(offset);
        records_.push_back(record);
        return offset;
    }
    std::int64_t num() const { return static_cast<std::int64_t>(writer_.records_written() + 1); }
    std::uint64_t size() const { return writer_.size(); }

    /// Appends a history row sized so that it ends exactly `left` bytes before a block's end.
    void add_ending_before_block_end(std::size_t left, std::int64_t step) {
        while (size() % kBlock > kBlock / 2) add(d::encode_record(num(), history_row(step, std::string(9000, 'f'))));
        const std::uint64_t pos = size() % kBlock;
        const std::uint64_t want = kBlock - left - pos - 7;  // record bytes that end the FULL chunk there
        for (std::size_t pad = want > 300 ? want - 300 : 0; pad <= want; ++pad) {
            const Bytes r = d::encode_record(num(), history_row(step, std::string(pad, 'p')));
            if (r.size() == want) {
                add(r);
                return;
            }
        }
        throw std::runtime_error("no padding gives a record of " + std::to_string(want) + " bytes");
    }

    void close() { writer_.close(); }
    const std::vector<std::uint64_t>& offsets() const { return offsets_; }
    const std::vector<Bytes>& records() const { return records_; }

private:
    d::LogWriter writer_;
    std::vector<std::uint64_t> offsets_;
    std::vector<Bytes> records_;
};

void write_bytes(const fs::path& path, const Bytes& bytes, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

/// An OfflineRun logging nested rows, its log copied to dir/run-rows.wandb, and the rows it must
/// hold to dir/rows.jsonl: written by hand, with wandb-core's rules applied (arrays are leaves, an
/// empty object has no leaf, "val/examples" and "a.b" are single labels).
void write_rows_run(const fs::path& dir) {
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    fs::remove_all(dir / "rows");
    wandb::OfflineRunOptions options;
    options.root = dir / "rows";
    options.run_id = "rows0001";
    options.quiet = true;
    wandb::OfflineRun run(options);
    run.log({{"loss", 0.5}, {"acc", 1}, {"name", "x"}, {"flag", true}, {"none", nullptr}});
    run.log({{"val/examples", wandb::Json{{"n", 2}}},
             {"val", wandb::Row{{"iou", 0.25}, {"per.class", wandb::Json::array({1, 2})}}},
             {"deep", wandb::Json{{"a", {{"b", {{"c", "leaf"}}}}}}}});
    run.log({{"loss", nan}, {"grad", inf}, {"low", -inf}, {"list", wandb::Json::array({1.0, inf, nan})},
             {"objs", wandb::Json::array({wandb::Json{{"a", 1}}})}});
    run.log({{"empty", wandb::Json::object()}, {"partly", wandb::Json{{"gone", wandb::Json::object()}, {"kept", 3}}}});
    run.log({{"mAP@0.5 \xE2\x80\x94 val \xF0\x9F\x90\xB1", 0.5}, {"a.b", 1}, {"n", wandb::Row{{"m", wandb::Row{{"k", -1}}}}}}, 7);
    run.finish();
    fs::copy_file(run.log_path(), dir / "run-rows.wandb", fs::copy_options::overwrite_existing);
    write_text(dir / "rows.jsonl",
               "{\"loss\":0.5,\"acc\":1,\"name\":\"x\",\"flag\":true,\"none\":null,\"_step\":0}\n"
               "{\"val/examples\":{\"n\":2},\"val\":{\"iou\":0.25,\"per.class\":[1,2]},\"deep\":{\"a\":{\"b\":{\"c\":\"leaf\"}}},"
               "\"_step\":1}\n"
               "{\"loss\":NaN,\"grad\":Infinity,\"low\":-Infinity,\"list\":[1.0,Infinity,NaN],\"objs\":[{\"a\":1}],\"_step\":2}\n"
               "{\"partly\":{\"kept\":3},\"_step\":3}\n"
               "{\"mAP@0.5 \xE2\x80\x94 val \xF0\x9F\x90\xB1\":0.5,\"a.b\":1,\"n\":{\"m\":{\"k\":-1}},\"_step\":7}\n");
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::cerr << "usage: write_log_fixture <dir>\n";
        return 2;
    }
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    const fs::path log = dir / "run-fixture.wandb";
    fs::remove(log);

    Fixture fx(log.string());
    fx.add(d::encode_record(fx.num(), d::HeaderRecord{"wandb-imagemask-cpp 0.1.0", "0.40.0"}));

    d::RunRecord run;
    run.run_id = "fx1abc23";
    run.entity = "team";
    run.project = "masks";
    run.config = {{"lr", {}, "0.001"}, {"_wandb", {}, "{\"cli_version\":\"0.1.0\"}"}};
    run.run_group = "g";
    run.job_type = "train";
    run.display_name = "caf\xC3\xA9 run";
    run.notes = "notes";
    run.tags = {"a", "b"};
    run.host = "host";
    run.start_time = d::Timestamp{1700000000, 123456789};
    run.git = d::GitRepoRecord{"https://example.com/r.git", "deadbeef"};
    fx.add(d::encode_record(fx.num(), run));

    d::EnvironmentRecord environment;
    environment.os = "Linux-6.1.0-18-amd64-x86_64-with-glibc2.36";
    environment.started_at = d::Timestamp{1700000000, 5};
    environment.args = {"--lr", "0.1", "caf\xC3\xA9"};
    environment.program = "/opt/train";
    environment.root = "/home/u/project";
    environment.host = "node-7";
    environment.executable = "/opt/train";
    environment.cpu_count = 64;
    environment.cpu_count_logical = 128;
    environment.memory_total = 540000000000ull;  // over 2^32: a multi-byte uint64 varint
    environment.writer_id = "w0123456789abcdefghijklmnopqrstu";
    fx.add(d::encode_record(fx.num(), environment));

    d::ConfigRecord config;
    config.update = {{"", {"class_labels", "mask"}, "{\"0\":\"bg\"}"}};
    config.remove = {{"old", {}, ""}};
    fx.add(d::encode_record(fx.num(), config));

    d::FilesRecord files;
    files.files = {{"media/images/img_0_0123456789abcdef0123.png", d::FilePolicy::now, d::FileType::other},
                   {"config.yaml", d::FilePolicy::end, d::FileType::wandb},
                   {"output.log", d::FilePolicy::live, d::FileType::media}};
    fx.add(d::encode_record(fx.num(), files));

    std::int64_t step = 0;
    fx.add(d::encode_record(fx.num(), history_row(step++, "")));
    const std::uint64_t big_start = fx.add(d::encode_record(fx.num(), history_row(step++, std::string(70000, 'x'))));
    for (std::size_t left = 0; left <= 7; ++left) fx.add_ending_before_block_end(left, step++);

    d::SummaryRecord summary;
    summary.update = {{"", {"loss"}, "0.1"}, {"", {"_wandb", "runtime"}, "12"}};
    summary.remove = {{"gone", {}, ""}};
    fx.add(d::encode_record(fx.num(), summary));

    d::ArtifactRecord artifact;
    artifact.run_id = run.run_id;
    artifact.project = run.project;
    artifact.entity = run.entity;
    artifact.type = "run_table";
    artifact.name = "run-fx1abc23-table";
    artifact.digest = "2f8de8c2aa0de987087d43162f2d2b01";
    artifact.metadata = "{\"k\":1}";
    artifact.aliases = {"latest"};
    artifact.finalize = true;
    artifact.client_id = std::string(128, 'c');
    artifact.sequence_client_id = std::string(128, 's');
    artifact.ttl_duration_seconds = -1;
    artifact.tags = {"t"};
    d::ArtifactManifest manifest;
    manifest.version = 1;
    manifest.storage_policy = "wandb-storage-policy-v1";
    manifest.storage_policy_config = {{"storageLayout", "\"V2\""}};
    d::ArtifactManifestEntry entry;
    entry.path = "table.table.json";
    entry.digest = "nAtirc7yVVckCg0dfw7yvg==";
    entry.size = 144;
    entry.local_path = "/tmp/staging/tmp123";
    entry.skip_cache = true;
    entry.extra = {{"x", "1"}};
    manifest.contents = {entry};
    artifact.manifest = manifest;
    fx.add(d::encode_record(fx.num(), artifact));

    d::StatsRecord stats;  // as the system-metrics sampler writes them
    stats.timestamp = d::Timestamp{1700000015, 250000000};
    stats.items = {{"cpu", "12.5"}, {"proc.memory.rssMB", "300.25"}, {"gpu.0.temp", "NaN"}};
    fx.add(d::encode_record(fx.num(), stats));

    d::MetricRecord metric;  // as define_metric writes them
    metric.name = "val/iou";
    metric.step_metric = "epoch";
    metric.step_metric_index = 2;
    metric.options = d::MetricOptions{true, true, true};
    metric.summary = d::MetricSummary{};
    metric.summary->min = metric.summary->last = true;
    metric.goal = d::MetricGoal::minimize;
    metric.control = d::MetricControl{true};
    fx.add(d::encode_record(fx.num(), metric));

    // A record type the schema does not model (field 11, telemetry), kept under its number.
    Bytes telemetry = {0x08, static_cast<std::uint8_t>(fx.num()), 0x5A, 0x02, 0x08, 0x01};
    fx.add(telemetry);

    fx.add(d::encode_record(fx.num(), d::ExitRecord{0, 42}));
    fx.add(d::encode_record(fx.num(), d::FinalRecord{}));
    fx.close();

    // expected.jsonl from the C++ decoder; the reader must also give back exactly what was written.
    std::string expected;
    wandb::RunLogReader reader(log.string());
    const auto result = reader.read_all();
    if (result.problem) throw std::runtime_error("fixture does not read back: " + result.problem->message);
    if (result.records.size() != fx.records().size()) throw std::runtime_error("fixture record count differs");
    for (std::size_t i = 0; i < result.records.size(); ++i) {
        if (result.records[i].data != fx.records()[i] || result.records[i].offset != fx.offsets()[i])
            throw std::runtime_error("fixture record " + std::to_string(i) + " reads back differently");
        wandb::Json line = {{"offset", result.records[i].offset}, {"record", wandb::decode_record(result.records[i].data)}};
        expected += line.dump() + "\n";
    }
    write_text(dir / "expected.jsonl", expected);

    std::ifstream in(log, std::ios::binary);
    const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    // Flip a byte inside the big record's chunk that starts at the first block boundary after it.
    const std::uint64_t boundary = (big_start / kBlock + 1) * kBlock;
    Bytes corrupt = file;
    corrupt[boundary + 100] ^= 0x01;
    write_bytes(dir / "run-corrupt.wandb", corrupt, corrupt.size());
    write_text(dir / "run-corrupt.expect", "corrupt " + std::to_string(boundary) + "\n");

    const std::uint64_t last = fx.offsets().back();
    write_bytes(dir / "run-truncated.wandb", file, static_cast<std::size_t>(last + 3));
    write_text(dir / "run-truncated.expect", "truncated " + std::to_string(last) + "\n");

    write_rows_run(dir);

    std::cout << "wrote " << fx.records().size() << " records, " << file.size() << " bytes, to " << log.string() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "write_log_fixture: " << e.what() << "\n";
    return 1;
}
