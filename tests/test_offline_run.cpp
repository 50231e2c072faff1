// Tests for offline_run.hpp: the run directory, the records read back with RunLogReader, steps,
// singletons, bad rows and concurrency. Children killed mid-loop: test_faults.cpp.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>
#include <set>
#include <thread>

#include <wandb/run_dir.hpp>
#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_offline_run {

using Catch::Message;
using wandb_test::TempDir;

namespace {

wandb::OfflineRunOptions quiet_options(const std::filesystem::path& root) {
    wandb::OfflineRunOptions options;
    options.root = root;
    options.project = "unit-tests";
    options.quiet = true;
    return options;
}

/// Every record of a log, decoded; REQUIREs that the log reads back whole.
std::vector<wandb::Json> read_log(const std::filesystem::path& path) {
    wandb::RunLogReader reader(path.string());
    const auto all = reader.read_all();
    REQUIRE_FALSE(all.problem.has_value());
    std::vector<wandb::Json> out;
    for (const auto& r : all.records) out.push_back(wandb::decode_record(r.data));
    return out;
}

std::string kind_of(const wandb::Json& record) {
    for (auto it = record.begin(); it != record.end(); ++it)
        if (it.key() != "num") return it.key();
    return "";
}

std::vector<wandb::Json> of_kind(const std::vector<wandb::Json>& records, const std::string& kind) {
    std::vector<wandb::Json> out;
    for (const auto& r : records)
        if (r.contains(kind)) out.push_back(r[kind]);
    return out;
}

/// The value of the top-level `key` of a history or summary item list (reassembled from its
/// nested_key leaves); FAILs if absent.
wandb::Json item(const wandb::Json& items, const std::string& key) {
    const wandb::Json row = wandb_test::history_row(items);
    if (!row.contains(key)) FAIL("no item " << key);
    return row[key];
}

/// The value of `key` as compact JSON text (NaN/Infinity tokens as logged); FAILs if absent.
std::string raw_item(const wandb::Json& items, const std::string& key) {
    if (!wandb_test::history_row(items).contains(key)) FAIL("no item " << key);
    return wandb_test::item_text(items, key);
}

wandb::Image masked_image(std::size_t split) {
    xt::xtensor<std::uint8_t, 2> mask = xt::zeros<std::uint8_t>({16, 16});
    for (std::size_t r = split; r < 16; ++r)
        for (std::size_t c = 0; c < 16; ++c) mask(r, c) = 1;
    return wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{16, 16, 3}, 90))
        .with_mask("predictions", wandb::ImageMask(mask, wandb::ClassLabels{{0, "sky"}, {1, "road"}}));
}

std::string sha256_file(const std::filesystem::path& p) {
    const auto bytes = wandb_test::read_bytes(p);
    return wandb::detail::Sha256::of(bytes.data(), bytes.size()).hex();
}

}  // namespace

TEST_CASE("OfflineRun lays out the run directory as the SDK does", "[offline_run]") {
    TempDir root;
    auto options = quiet_options(root.path());
    std::filesystem::path dir;
    std::string id;
    {
        wandb::OfflineRun run(options);
        dir = run.dir();
        id = run.id();
        CHECK(std::regex_match(id, std::regex("[a-z0-9]{8}")));
        CHECK(run.files_dir() == dir / "files");
        CHECK(run.log_path() == dir / ("run-" + id + ".wandb"));
        CHECK(run.sync_command() == "wandb sync " + dir.string());
    }
    CHECK(dir.parent_path() == root.path() / "wandb");
    CHECK(std::regex_match(dir.filename().string(), std::regex("offline-run-[0-9]{8}_[0-9]{6}-" + id)));
    CHECK(wandb_test::list_files(dir) ==
          std::vector<std::string>{"files/config.yaml", "files/wandb-metadata.json", "files/wandb-summary.json",
                                   "run-" + id + ".wandb"});
}

TEST_CASE("OfflineRun writes Header, Run, Environment, then History and Summary per log, then the runtime "
          "Summary, Exit and Final",
          "[offline_run]") {
    TempDir root;
    auto options = quiet_options(root.path());
    options.run_id = "abc123";
    options.entity = "team";
    options.name = "first try";
    options.group = "g";
    options.job_type = "train";
    options.tags = {"cpp", "unit"};
    options.notes = "notes";
    options.config = {{"lr", 0.01}, {"layers", {64, 32}}};
    wandb::OfflineRun run(options);
    run.log({{"loss", 0.5}, {"ok", true}, {"name", "x"}});
    run.log({{"loss", 0.25}});
    run.finish();
    const auto records = read_log(run.log_path());
    std::vector<std::string> kinds;
    for (std::size_t i = 0; i < records.size(); ++i) {
        kinds.push_back(kind_of(records[i]));
        CHECK(records[i]["num"] == i + 1);
    }
    CHECK(kinds == std::vector<std::string>{"header", "run", "environment", "history", "summary", "history",
                                            "summary", "summary", "exit", "final"});
    // As today's wandb-core fills VersionInfo (stream/handler.go handleHeader: "<version>+<commit>"
    // and version.MinServerVersion, "0.70.0").
    CHECK(records[0]["header"]["version_info"]["producer"] == "0.1.0+wandb-imagemask-cpp");
    CHECK(records[0]["header"]["version_info"]["min_consumer"] == "0.70.0");
    const auto& r = records[1]["run"];
    CHECK(r["run_id"] == "abc123");
    CHECK(r["project"] == "unit-tests");
    CHECK(r["entity"] == "team");
    CHECK(r["display_name"] == "first try");
    CHECK(r["run_group"] == "g");
    CHECK(r["job_type"] == "train");
    CHECK(r["notes"] == "notes");
    CHECK(r["tags"] == wandb::Json::array({"cpp", "unit"}));
    CHECK(r["config"]["update"].dump() ==
          R"([{"key":"lr","value_json":"0.01"},{"key":"layers","value_json":"[64,32]"}])");
    CHECK(r["start_time"]["seconds"].get<std::int64_t>() > 1700000000);

    const auto& h0 = records[3]["history"];
    CHECK(raw_item(h0["item"], "loss") == "0.5");
    CHECK(raw_item(h0["item"], "ok") == "true");
    CHECK(raw_item(h0["item"], "name") == "\"x\"");
    CHECK(raw_item(h0["item"], "_step") == "0");
    CHECK(item(h0["item"], "_runtime").get<double>() >= 0);
    CHECK(std::abs(item(h0["item"], "_timestamp").get<double>() -
                   std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()) < 60);
    CHECK(records[5]["history"]["step"]["num"] == 1);
    CHECK(raw_item(records[6]["summary"]["update"], "loss") == "0.25");
    CHECK(records[8]["exit"].value("exit_code", 0) == 0);
}

TEST_CASE("History and Summary items are one nested_key item per leaf, as wandb-core writes them",
          "[offline_run]") {
    TempDir root;
    auto options = quiet_options(root.path());
    wandb::OfflineRun run(options);
    // "val/examples" is one label; an array is a leaf, also of objects; an empty object has no leaf.
    run.log({{"loss", 0.5},
             {"val/examples", wandb::Json{{"n", 2}}},
             {"val", wandb::Row{{"iou", 0.25}, {"per.class", wandb::Json::array({1, 2})}}},
             {"boxes", wandb::Json::array({wandb::Json{{"a", 1}}})},
             {"empty", wandb::Json::object()},
             {"deep", wandb::Json{{"none", wandb::Json::object()}, {"x", nullptr}}}});
    run.finish();
    const auto records = read_log(run.log_path());
    const auto history = of_kind(records, "history").at(0);
    wandb::Json items = history["item"];
    REQUIRE(items.size() == 9);
    items.erase(items.begin() + 7);  // _runtime and _timestamp: values checked elsewhere
    items.erase(items.begin() + 7);
    CHECK(items.dump() ==
          R"([{"nested_key":["loss"],"value_json":"0.5"},{"nested_key":["val/examples","n"],"value_json":"2"},)"
          R"({"nested_key":["val","iou"],"value_json":"0.25"},{"nested_key":["val","per.class"],"value_json":"[1,2]"},)"
          R"({"nested_key":["boxes"],"value_json":"[{\"a\":1}]"},{"nested_key":["deep","x"],"value_json":"null"},)"
          R"({"nested_key":["_step"],"value_json":"0"}])");
    CHECK(history["item"][7]["nested_key"] == wandb::Json::array({"_runtime"}));
    CHECK(history["item"][8]["nested_key"] == wandb::Json::array({"_timestamp"}));
    // The row's Summary record: the same items, then _wandb.runtime in whole seconds.
    const auto summaries = of_kind(records, "summary");
    REQUIRE(summaries.size() == 2);
    const auto& update = summaries[0]["update"];
    REQUIRE(update.size() == 10);
    for (std::size_t i = 0; i < 9; ++i) CHECK(update[i] == history["item"][i]);
    CHECK(update[9]["nested_key"] == wandb::Json::array({"_wandb", "runtime"}));
    CHECK(update[9]["value_json"] == "0");
    // wandb-summary.json merges leaves: the empty object is not there either.
    const auto summary = wandb::Json::parse(wandb_test::read_bytes(run.files_dir() / "wandb-summary.json"));
    CHECK(summary["val"].dump() == R"({"iou":0.25,"per.class":[1,2]})");
    CHECK(summary["deep"].dump() == R"({"x":null})");
    CHECK_FALSE(summary.contains("empty"));
}

TEST_CASE("The runtime Summary record precedes Exit, as wandb-core's handler appends it", "[offline_run]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    run.log({{"loss", 1.0}});
    run.finish(2);
    const auto records = read_log(run.log_path());
    REQUIRE(records.size() >= 3);
    const auto& runtime = records[records.size() - 3];
    CHECK(kind_of(runtime) == "summary");
    // {nested_key ["_wandb","runtime"]: seconds, key "_runtime": seconds}: handler.go updateRunTiming
    CHECK(runtime["summary"].dump() ==
          R"({"update":[{"nested_key":["_wandb","runtime"],"value_json":"0"},{"key":"_runtime","value_json":"0"}]})");
    CHECK(records[records.size() - 2]["exit"]["exit_code"] == 2);
    CHECK(kind_of(records.back()) == "final");
    const auto summary = wandb::Json::parse(wandb_test::read_bytes(run.files_dir() / "wandb-summary.json"));
    CHECK(summary["_wandb"].dump() == R"({"runtime":0})");
    CHECK(summary["_runtime"].dump() == "0");
}

TEST_CASE("The Environment record holds the machine's facts, the same as wandb-metadata.json", "[offline_run]") {
    TempDir root;
    auto options = quiet_options(root.path());
    wandb::OfflineRun run(options);
    run.finish();
    const auto records = read_log(run.log_path());
    REQUIRE(kind_of(records.at(2)) == "environment");
    wandb::Json e = records[2]["environment"];  // a copy: a missing field reads as null
    const auto metadata = wandb::Json::parse(wandb_test::read_bytes(run.files_dir() / "wandb-metadata.json"));
    utsname uts{};
    REQUIRE(::uname(&uts) == 0);
    CHECK(e["os"] == std::string(uts.sysname) + "-" + uts.release + "-" + uts.machine);
    CHECK(e["os"] == metadata["os"]);
    char host[256] = {};
    REQUIRE(::gethostname(host, sizeof host - 1) == 0);
    CHECK(e["host"] == host);
    CHECK(e["host"] == metadata["host"]);
    // The test binary's own command line, from /proc/self/cmdline.
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    CHECK(e["program"] == cmdline.substr(0, cmdline.find('\0')));
    CHECK(e["program"] == metadata["program"]);
    CHECK(e.value("args", wandb::Json::array()) == metadata["args"]);
    char cwd[4096];
    REQUIRE(::getcwd(cwd, sizeof cwd) != nullptr);
    CHECK(e["root"] == cwd);
    CHECK(e["executable"] == std::filesystem::read_symlink("/proc/self/exe").string());
    CHECK(e["cpu_count_logical"] == std::thread::hardware_concurrency());
    CHECK(e["cpu_count"].get<unsigned>() >= 1);
    CHECK(e["cpu_count"].get<unsigned>() <= std::thread::hardware_concurrency());
    CHECK(e["cpu_count"] == metadata["cpu_count"]);
    CHECK(e["memory"]["total"].get<std::uint64_t>() ==
          std::uint64_t(::sysconf(_SC_PHYS_PAGES)) * std::uint64_t(::sysconf(_SC_PAGESIZE)));
    CHECK(e["memory"] == metadata["memory"]);
    const auto& started = records[1]["run"]["start_time"];
    CHECK(e["started_at"] == started);  // the run's start, to the nanosecond
    CHECK(std::regex_match(e["writer_id"].get<std::string>(), std::regex("[a-z0-9]{32}")));
    // wandb-metadata.json is not announced: wandb-core uploads the one it makes from this record.
    CHECK(of_kind(records, "files").empty());
}

TEST_CASE("A run without a project says \"uncategorized\" in its Run and Artifact records", "[offline_run]") {
    TempDir root;
    auto options = quiet_options(root.path());
    options.project = "";
    wandb::OfflineRun run(options);
    wandb::Table table({"n"});
    table.add_data({1});
    run.log({{"t", table}});
    run.finish();
    const auto records = read_log(run.log_path());
    CHECK(of_kind(records, "run").at(0)["project"] == "uncategorized");
    CHECK(of_kind(records, "artifact").at(0)["project"] == "uncategorized");
}

TEST_CASE("An open run holds an exclusive lock on its log until it finishes", "[offline_run]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    const auto try_lock = [&run] {
        const int fd = ::open(run.log_path().c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        const int r = ::flock(fd, LOCK_SH | LOCK_NB);
        const int error = errno;
        ::close(fd);
        return r == 0 ? 0 : error;
    };
    CHECK(try_lock() == EWOULDBLOCK);
    CHECK(wandb::log_is_being_written(run.log_path()));
    run.log({{"loss", 1.0}});
    CHECK(try_lock() == EWOULDBLOCK);
    run.finish();
    CHECK(try_lock() == 0);
    CHECK_FALSE(wandb::log_is_being_written(run.log_path()));
}

TEST_CASE("Images are written below files/media, announced, and their labels recorded once", "[offline_run]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    run.log({{"loss", 1.0}});
    run.log({{"val/examples", masked_image(8)}, {"loss", 0.9}});
    run.log({{"val/examples", masked_image(10)}});  // same labels: no new Config record
    run.finish();
    const auto records = read_log(run.log_path());
    std::set<std::string> announced;
    for (const auto& f : of_kind(records, "files"))
        for (const auto& i : f["files"]) announced.insert(i["path"].get<std::string>());
    const auto histories = of_kind(records, "history");
    REQUIRE(histories.size() == 3);
    for (std::size_t h = 1; h < 3; ++h) {
        const auto value = item(histories[h]["item"], "val/examples");
        for (const auto& payload : {value, value["masks"]["predictions"]}) {
            const std::string path = payload["path"];
            CHECK(announced.count(path) == 1);
            CHECK(sha256_file(run.files_dir() / path) == payload["sha256"]);
            // named by the log call counter (the SDK's _local_step), not the history step
            CHECK(path.find("val/examples_" + std::to_string(h) + "_") != std::string::npos);
        }
    }
    const auto configs = of_kind(records, "config");
    REQUIRE(configs.size() == 1);
    CHECK(configs[0]["update"][0]["key"] == "_wandb");
    CHECK(configs[0]["update"][0]["value_json"] ==
          R"({"mask/class_labels":{"val/examples_wandb_delimeter_predictions":{"type":"mask/class_labels","key":"val/examples_wandb_delimeter_predictions","value":{"0":"sky","1":"road"}}}})");
    // The Config record comes after the media's Files records and before the History record.
    std::vector<std::string> kinds;
    for (const auto& r : records) kinds.push_back(kind_of(r));
    CHECK(std::vector<std::string>(kinds.begin() + 5, kinds.begin() + 10) ==
          std::vector<std::string>{"files", "files", "config", "history", "summary"});
}

TEST_CASE("Nested rows keep their structure and name media by the inner key", "[offline_run]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    run.log({{"val", wandb::Row{{"iou", 0.5}, {"sample", masked_image(4)}}}});
    run.finish();
    const auto history = of_kind(read_log(run.log_path()), "history").at(0);
    const auto val = item(history["item"], "val");
    CHECK(val["iou"] == 0.5);
    const std::string path = val["sample"]["path"];
    CHECK(path.rfind("media/images/sample_0_", 0) == 0);
    CHECK(std::filesystem::exists(run.files_dir() / path));
}

TEST_CASE("Non-finite numbers are logged as NaN and Infinity tokens, as the SDK writes them", "[offline_run]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    const double inf = std::numeric_limits<double>::infinity();
    run.log({{"loss", std::numeric_limits<double>::quiet_NaN()}, {"grad", inf}, {"low", -inf},
             {"nested", wandb::Json{{"x", -inf}}}});
    run.finish();
    const auto history = of_kind(read_log(run.log_path()), "history").at(0);
    CHECK(raw_item(history["item"], "loss") == "NaN");
    CHECK(raw_item(history["item"], "grad") == "Infinity");
    CHECK(raw_item(history["item"], "low") == "-Infinity");
    CHECK(raw_item(history["item"], "nested") == R"({"x":-Infinity})");
    const auto summary = wandb_test::read_bytes(run.files_dir() / "wandb-summary.json");
    CHECK(std::string(summary.begin(), summary.end()).find(R"("loss":NaN)") != std::string::npos);
}

TEST_CASE("Explicit steps must not decrease; a rejected row writes nothing", "[offline_run][errors]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    run.log({{"a", 1}}, 5);  // an explicit step without commit: the row of step 5 stays open
    CHECK(run.next_step() == 5);
    const auto size = std::filesystem::file_size(run.log_path());
    const std::string rule = "; steps must not decrease (the rows of earlier steps are written already)";
    CHECK_THROWS_MATCHES(run.log({{"a", 2}}, 3), wandb::ValidationError,
                         Message("wandb::OfflineRun::log: step 3 is less than the current step 5" + rule));
    CHECK_THROWS_MATCHES(run.log({{"a", 2}, {"img", masked_image(3)}}, 4), wandb::ValidationError,
                         Message("wandb::OfflineRun::log: step 4 is less than the current step 5" + rule));
    CHECK(std::filesystem::file_size(run.log_path()) == size);
    CHECK_FALSE(std::filesystem::exists(run.files_dir() / "media"));
    run.log({{"b", 3}});  // joins the open row of step 5 and commits it
    CHECK_THROWS_MATCHES(run.log({{"a", 2}}, 5), wandb::ValidationError,
                         Message("wandb::OfflineRun::log: step 5 is less than the current step 6" + rule));
    run.log({{"a", 4}}, 9);
    run.finish();
    std::vector<std::int64_t> steps;
    const auto histories = of_kind(read_log(run.log_path()), "history");
    for (const auto& h : histories) steps.push_back(item(h["item"], "_step"));
    CHECK(steps == std::vector<std::int64_t>{5, 9});
    CHECK(item(histories[0]["item"], "a") == 1);
    CHECK(item(histories[0]["item"], "b") == 3);
}

TEST_CASE("Bad rows are refused with the key named, before anything is written", "[offline_run][errors]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    const auto size = std::filesystem::file_size(run.log_path());
    CHECK_THROWS_MATCHES(run.log({{"_step", 1}}), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun::log: key "_step" is reserved for W&B)"));
    CHECK_THROWS_MATCHES(run.log({{"_wandb", 1}}), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun::log: key "_wandb" is reserved for W&B)"));
    CHECK_THROWS_MATCHES(run.log({{"loss", 1}, {"loss", 2}}), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun::log: key "loss" appears twice in one row)"));
    CHECK_THROWS_MATCHES(run.log({{"", 1}}), wandb::ValidationError, Message("wandb::OfflineRun::log: key is empty"));
    CHECK_THROWS_MATCHES(run.log({{"val", wandb::Row{{"", 1}}}}), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun::log: key inside "val" is empty)"));
    CHECK_THROWS_MATCHES(run.log({{"a\x01", 1}}), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun::log: key "a\x01" holds a control character at byte 1)"));
    CHECK_THROWS_MATCHES(run.log({{"k\xFF", 1}}), wandb::ValidationError,
                         Message("wandb::OfflineRun::log: key is not valid UTF-8 (byte 0xff at offset 1)"));
    CHECK_THROWS_MATCHES(run.log({{"note", "\xFF"}}), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun::log: value of "note": a string is not valid UTF-8 (byte 0xff at offset 0))"));
    CHECK_THROWS_MATCHES(run.log({{"examples", std::vector<wandb::Image>{}}}), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun::log: the list of images under key "examples" is empty)"));
    CHECK(std::filesystem::file_size(run.log_path()) == size);
    run.finish();
    CHECK_THROWS_MATCHES(run.log({{"a", 1}}), wandb::ValidationError,
                         Message("wandb::OfflineRun::log: the run has finished"));
    CHECK_THROWS_MATCHES(run.update_summary({{"a", 1}}), wandb::ValidationError,
                         Message("wandb::OfflineRun::update_summary: the run has finished"));
}

TEST_CASE("Bad options are refused before any file is created", "[offline_run][errors]") {
    TempDir root;
    auto options = quiet_options(root.path());
    options.run_id = "a/b";
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun: option run_id "a/b" contains '/'; W&B forbids : ; , # ? / ' \ %)"));
    options.run_id = "";
    options.project = "my:project";
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun: option project "my:project" contains ':'; W&B forbids / \ # ? % :)"));
    options.project = "p";
    options.tags = {std::string(65, 't')};
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message("wandb::OfflineRun: tag \"" + std::string(65, 't') + "\" is 65 characters; W&B allows 64"));
    options.tags = {};
    options.config = wandb::Json::array({1});
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message("wandb::OfflineRun: option config must be a JSON object, got array"));
    options.config = {{"name", "\xC3"}};
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message("wandb::OfflineRun: option config, value of \"name\": a string is not valid UTF-8 (byte 0xc3 at offset 0)"));
    CHECK_FALSE(std::filesystem::exists(root / "wandb"));
}

TEST_CASE("Config and summary updates are recorded and written at finish", "[offline_run]") {
    TempDir root;
    auto options = quiet_options(root.path());
    options.config = {{"lr", 0.1}, {"model", {{"depth", 50}, {"name", "resnet"}}}};
    wandb::OfflineRun run(options);
    run.update_config({{"batch_size", 32}});
    run.update_summary({{"best", 0.75}});
    CHECK_THROWS_MATCHES(run.update_config({{"_wandb", 1}}), wandb::ValidationError,
                         Message(R"(wandb::OfflineRun::update_config: the key "_wandb" is reserved for W&B)"));
    CHECK_THROWS_MATCHES(run.update_summary(wandb::Json(3)), wandb::ValidationError,
                         Message("wandb::OfflineRun::update_summary: values must be a JSON object, got number"));
    run.finish(3);
    const auto records = read_log(run.log_path());
    CHECK(of_kind(records, "config").at(0).dump() == R"({"update":[{"key":"batch_size","value_json":"32"}]})");
    CHECK(of_kind(records, "summary").at(0).dump() == R"({"update":[{"key":"best","value_json":"0.75"}]})");
    CHECK(of_kind(records, "exit").at(0)["exit_code"] == 3);
    const auto yaml = wandb_test::read_bytes(run.files_dir() / "config.yaml");
    CHECK(std::string(yaml.begin(), yaml.end()) ==
          "batch_size:\n    value: 32\nlr:\n    value: 0.1\nmodel:\n    value:\n        depth: 50\n        name: \"resnet\"\n");
    const auto summary = wandb::Json::parse(wandb_test::read_bytes(run.files_dir() / "wandb-summary.json"));
    CHECK(summary["best"] == 0.75);
    CHECK(summary["_wandb"].contains("runtime"));
}

TEST_CASE("A run destroyed while an exception unwinds exits with code 1", "[offline_run]") {
    TempDir root;
    std::filesystem::path log;
    try {
        wandb::OfflineRun run(quiet_options(root.path()));
        log = run.log_path();
        run.log({{"loss", 1.0}});
        throw std::runtime_error("training crashed");
    } catch (const std::runtime_error&) {
    }
    const auto exits = of_kind(read_log(log), "exit");
    REQUIRE(exits.size() == 1);
    CHECK(exits[0]["exit_code"] == 1);
}

TEST_CASE("WANDB_DIR is the default root", "[offline_run]") {
    TempDir root;
    ::setenv("WANDB_DIR", root.path().c_str(), 1);
    wandb::OfflineRunOptions options;
    options.quiet = true;
    wandb::OfflineRun run(options);
    ::unsetenv("WANDB_DIR");
    CHECK(run.dir().parent_path() == root.path() / "wandb");
}

TEST_CASE("Four threads logging 200 rows each lose nothing and never interleave records", "[offline_run][threads]") {
    TempDir root;
    auto options = quiet_options(root.path());
    options.media_threads = 2;
    wandb::OfflineRun run(options);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&run, t] {
            for (int i = 0; i < 200; ++i) {
                wandb::Row row = {{"thread", t}, {"i", i}};
                if (i % 50 == 0) row.emplace_back("img", masked_image(std::size_t(t + 2)));
                run.log(row);
            }
        });
    for (auto& th : threads) th.join();
    run.finish();
    const auto histories = of_kind(read_log(run.log_path()), "history");
    REQUIRE(histories.size() == 800);
    std::set<std::pair<int, int>> seen;
    for (std::size_t k = 0; k < histories.size(); ++k) {
        CHECK(item(histories[k]["item"], "_step") == k);
        seen.insert({item(histories[k]["item"], "thread").get<int>(), item(histories[k]["item"], "i").get<int>()});
    }
    CHECK(seen.size() == 800);
}

TEST_CASE("Media payloads and file names do not depend on the number of encoding threads", "[offline_run][threads]") {
    std::vector<std::string> histories;
    for (std::size_t threads : {std::size_t(1), std::size_t(4)}) {
        TempDir root;
        auto options = quiet_options(root.path());
        options.media_threads = threads;
        wandb::OfflineRun run(options);
        CHECK(run.media_threads() == threads);
        std::vector<wandb::Image> batch;
        for (std::size_t i = 0; i < 6; ++i) batch.push_back(masked_image(i + 1));
        run.log({{"batch", batch}, {"single", masked_image(9)}, {"val", wandb::Row{{"nested", masked_image(11)}}}});
        run.finish();
        const auto history = of_kind(read_log(run.log_path()), "history").at(0);
        wandb::Json row = wandb_test::history_row(history["item"]);
        row.erase("_runtime");
        row.erase("_timestamp");
        histories.push_back(row.dump());
        // "batch": the six images have identical pixels, so one image file, plus six distinct masks;
        // "single" and "nested": an image and a mask each.
        CHECK(wandb_test::list_files(run.files_dir() / "media").size() == 7 + 2 + 2);
    }
    CHECK(histories[0] == histories[1]);
}

TEST_CASE("Box layers are logged with their files and bounding_box class labels", "[offline_run]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    const auto image = wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{20, 30, 3}, 50))
                           .with_boxes("predictions",
                                       wandb::BoundingBoxes2D({{wandb::BoxCorners{0.1, 0.2, 0.3, 0.4}, 1, "car"}},
                                                              wandb::ClassLabels{{0, "person"}, {1, "car"}}));
    run.log({{"driving_scene", image}});
    run.finish();
    const auto records = read_log(run.log_path());
    const auto value = item(of_kind(records, "history").at(0)["item"], "driving_scene");
    const std::string path = value["boxes"]["predictions"]["path"];
    CHECK(path.rfind("media/metadata/boxes2D/driving_scene_0_", 0) == 0);
    const auto bytes = wandb_test::read_bytes(run.files_dir() / path);
    CHECK(std::string(bytes.begin(), bytes.end()) ==
          R"({"box_data":[{"position":{"minX":0.1,"maxX":0.2,"minY":0.3,"maxY":0.4},"class_id":1,"box_caption":"car"}],"class_labels":{"0":"person","1":"car"}})");
    CHECK(of_kind(records, "config").at(0)["update"][0]["value_json"] ==
          R"({"bounding_box/class_labels":{"driving_scene_wandb_delimeter_predictions":{"type":"bounding_box/class_labels","key":"driving_scene_wandb_delimeter_predictions","value":{"0":"person","1":"car"}}}})");
}

TEST_CASE("A table logged with images in one row keeps the row's record order", "[offline_run][table]") {
    TempDir root;
    wandb::OfflineRun run(quiet_options(root.path()));
    wandb::Table table({"id", "image"});
    table.add_data({1, masked_image(5)});
    table.add_data({2, nullptr});
    run.log({{"img", masked_image(6)}, {"eval", wandb::Row{{"samples", table}}}, {"loss", 0.1}});
    table.add_data({3, masked_image(7)});  // the run logged a copy; later rows are not in it
    run.finish();
    const auto records = read_log(run.log_path());
    std::vector<std::string> kinds;
    for (const auto& r : records) kinds.push_back(kind_of(r));
    // header, run, files(metadata), files(img), files(mask), artifact, files(table), config, history, ...
    CHECK(std::vector<std::string>(kinds.begin() + 3, kinds.begin() + 9) ==
          std::vector<std::string>{"files", "files", "artifact", "files", "config", "history"});
    const auto artifact = records[5]["artifact"];
    CHECK(artifact["name"] == "run-" + run.id() + "-samples");  // nested: the inner key, as in the SDK
    const auto value = item(of_kind(records, "history").at(0)["item"], "eval")["samples"];
    CHECK(value["_type"] == "table-file");
    CHECK(value["nrows"] == 2);
    const std::string run_file = value["path"];
    CHECK(run_file.rfind("media/table/samples_0_", 0) == 0);
    CHECK(records[6]["files"]["files"][0]["path"] == run_file);
    CHECK(sha256_file(run.files_dir() / run_file) == value["sha256"]);
    for (const auto& entry : artifact["manifest"]["contents"])
        CHECK(std::filesystem::exists(entry["local_path"].get<std::string>()));
}

TEST_CASE("A log call that fails after staging a table leaves neither the table's files nor records",
          "[offline_run][table][errors]") {
    TempDir root, scratch;
    wandb::OfflineRun run(quiet_options(root.path()));
    const auto image = masked_image(6);
    // Learn the image file's name (key "img", log call 0) and put a directory in its way.
    const std::string blocked = wandb::bind_to_run(image, {scratch.path(), "img", 0}).value["path"];
    std::filesystem::create_directories(run.files_dir() / blocked);
    wandb::Table table({"image"});
    table.add_data({masked_image(3)});
    const auto size = std::filesystem::file_size(run.log_path());
    CHECK_THROWS_AS(run.log({{"samples", table}, {"img", image}}), wandb::IoError);
    CHECK(std::filesystem::file_size(run.log_path()) == size);
    CHECK(wandb_test::list_files(run.files_dir() / "media" / "table").empty());  // directories may stay
    std::size_t staged = 0;
    if (std::filesystem::exists(run.dir() / "artifacts"))
        for (const auto& e : std::filesystem::recursive_directory_iterator(run.dir() / "artifacts"))
            staged += e.is_regular_file();
    CHECK(staged == 0);
    std::filesystem::remove(run.files_dir() / blocked);
    run.log({{"samples", table}, {"img", image}});  // the same row succeeds once the way is clear
    run.finish();
    CHECK(of_kind(read_log(run.log_path()), "artifact").size() == 1);
}

}  // namespace test_offline_run
