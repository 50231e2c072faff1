// Step semantics as the SDK's (issue 12): several log calls per step merge into one open row, a
// greater step or a commit writes it, finish and the destructor write the last one, and a process
// killed between the calls of one step loses that open row and nothing else.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_steps {

using Catch::Matchers::Message;
using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

/// A 6x6 image of one value, with a two-class mask.
wandb::Image small_image(std::uint8_t value) {
    xt::xtensor<std::uint8_t, 2> mask = xt::zeros<std::uint8_t>({6, 6});
    mask(0, 0) = 1;
    return wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{6, 6, 3}, value))
        .with_mask("pred", wandb::ImageMask(mask, wandb::ClassLabels{{0, "bg"}, {1, "cat"}}));
}

/// The rows of a log without `_runtime` and `_timestamp` (which depend on the clock).
std::vector<wandb::Json> rows_of(const wandb_test::ReadBack& log) {
    std::vector<wandb::Json> out;
    for (const auto& h : log.of_kind("history")) {
        wandb::Json row = wandb_test::history_row(h["item"]);
        row.erase("_runtime");
        row.erase("_timestamp");
        out.push_back(std::move(row));
    }
    return out;
}

/// The kinds of a log's records after the Header, Run and Environment records, in order.
std::vector<std::string> kinds_after_start(const wandb_test::ReadBack& log) {
    std::vector<std::string> out;
    for (std::size_t i = 3; i < log.records.size(); ++i)
        for (auto it = log.records[i].begin(); it != log.records[i].end(); ++it)
            if (it.key() != "num") out.push_back(it.key());
    return out;
}

const std::string earlier_steps = "; steps must not decrease (the rows of earlier steps are written already)";

}  // namespace

TEST_CASE("Two log calls at one step give one History record with the keys and media of both", "[steps]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"loss", 0.5}, {"train", small_image(10)}}, 3);
    run.log({{"val/iou", 0.75}, {"val", small_image(20)}}, 3);
    run.log({{"loss", 0.25}}, 4);  // a greater step writes the row of step 3
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    REQUIRE_FALSE(log.problem);
    const auto histories = log.of_kind("history");
    REQUIRE(histories.size() == 2);
    const wandb::Json row = wandb_test::history_row(histories[0]["item"]);
    CHECK(row["_step"] == 3);
    CHECK(row["loss"] == 0.5);
    CHECK(row["val/iou"] == 0.75);
    // Both calls' media, each named by the step of the row (the SDK's <key>_<step>_<sha256[:20]>).
    for (const char* name : {"train", "val"}) {
        const std::string key = name;
        const std::string path = row[key]["path"];
        CHECK(path.rfind("media/images/" + key + "_3_", 0) == 0);
        CHECK(fs::is_regular_file(run.files_dir() / path));
        CHECK(row[key]["masks"]["pred"]["path"].get<std::string>().rfind("media/images/mask/" + key + "_3_", 0) == 0);
    }
    CHECK(wandb_test::history_row(histories[1]["item"])["_step"] == 4);
    // Each call's Files records come at its call; the History and Summary of step 3 when step 4 comes.
    CHECK(kinds_after_start(log) ==
          std::vector<std::string>{"files", "files", "config", "files", "files", "config", "history", "summary",
                                   "history", "summary", "summary", "exit", "final"});
    CHECK(wandb_test::run_problems(run.dir(), log, true) == std::vector<std::string>{});
}

TEST_CASE("The three equivalent ways of the SDK's Run.log docstring give the same rows", "[steps]") {
    // wandb_run.py Run.log: "The following are all equivalent": one call per step; commit=False
    // then a call without a step; explicit steps with a final commit=True.
    const auto rows_written = [](const std::function<void(wandb::OfflineRun&)>& body) {
        TempDir root;
        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
        body(run);
        run.finish();
        const auto log = wandb_test::read_back(run.log_path());
        REQUIRE_FALSE(log.problem);
        return rows_of(log);
    };
    const auto normal = rows_written([](wandb::OfflineRun& run) {
        run.log({{"train-loss", 0.5}, {"accuracy", 0.8}});
        run.log({{"train-loss", 0.4}, {"accuracy", 0.9}});
    });
    const auto no_commit = rows_written([](wandb::OfflineRun& run) {
        run.log({{"train-loss", 0.5}}, {{}, false});
        CHECK(run.next_step() == 0);
        run.log({{"accuracy", 0.8}});
        CHECK(run.next_step() == 1);
        run.log({{"train-loss", 0.4}}, {{}, false});
        run.log({{"accuracy", 0.9}});
    });
    const auto explicit_steps = rows_written([](wandb::OfflineRun& run) {
        std::int64_t current_step = 0;
        run.log({{"train-loss", 0.5}}, current_step);
        run.log({{"accuracy", 0.8}}, current_step);
        current_step += 1;
        run.log({{"train-loss", 0.4}}, current_step);
        run.log({{"accuracy", 0.9}}, {current_step, true});
        CHECK(run.next_step() == 2);
    });
    const std::vector<wandb::Json> expected = {
        wandb::Json{{"train-loss", 0.5}, {"accuracy", 0.8}, {"_step", 0}},
        wandb::Json{{"train-loss", 0.4}, {"accuracy", 0.9}, {"_step", 1}}};
    CHECK(normal == expected);
    CHECK(no_commit == expected);
    CHECK(explicit_steps == expected);
}

TEST_CASE("commit=false sequences: rows close on commit, on a greater step, and a key logged again keeps its last leaves",
          "[steps]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    const auto size_before = fs::file_size(run.log_path());
    run.log({{"a", 1}, {"n", wandb::Json{{"x", 1}, {"y", 1}}}}, {{}, false});
    run.log({{"a", 2}, {"n", wandb::Json{{"y", 2}}}, {"m", wandb::Row{{"z", 3}}}}, {{}, false});
    CHECK(fs::file_size(run.log_path()) == size_before);  // nothing written while the row is open
    run.log({{"b", 1}}, wandb::LogOptions{{}, true});     // commit: row 0
    run.log({{"c", 1}}, {{}, false});                     // opens row 1
    run.log({{"c", 2}}, {5, false});                      // a greater step writes row 1, opens row 5
    run.log({{"d", 1}}, {5, std::nullopt});               // joins row 5
    run.log({}, {7, true});                               // writes row 5; row 7 holds no value but the meta keys
    run.log({{"e", 1}}, {{}, false});                     // row 8, written by finish
    CHECK(run.next_step() == 8);
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    REQUIRE_FALSE(log.problem);
    // wandb-core merges a step's calls leaf by leaf (runhistory.go setFromUnmarshalledJSON): the
    // last value of a leaf wins, other leaves of a nested value stay.
    CHECK(rows_of(log) == std::vector<wandb::Json>{
                              wandb::Json{{"a", 2}, {"n", {{"x", 1}, {"y", 2}}}, {"m", {{"z", 3}}}, {"b", 1}, {"_step", 0}},
                              wandb::Json{{"c", 1}, {"_step", 1}},
                              wandb::Json{{"c", 2}, {"d", 1}, {"_step", 5}},
                              wandb::Json{{"_step", 7}},
                              wandb::Json{{"e", 1}, {"_step", 8}}});
    // The summary holds the last value of every key, the open row's included.
    const wandb::Json summary = wandb::Json::parse(wandb_test::read_bytes(run.files_dir() / "wandb-summary.json"));
    CHECK(summary["a"] == 2);
    CHECK(summary["c"] == 2);
    CHECK(summary["e"] == 1);
    CHECK(summary["_step"] == 8);
}

TEST_CASE("A step less than the current one is refused with the steps named, before anything is written",
          "[steps][errors]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"a", 1}}, 5);
    const auto files_before = wandb_test::file_sizes(root.path());
    CHECK_THROWS_MATCHES(run.log({{"a", 2}, {"img", small_image(1)}}, 4), wandb::ValidationError,
                         Message("wandb::OfflineRun::log: step 4 is less than the current step 5" + earlier_steps));
    CHECK_THROWS_MATCHES(run.log({{"a", 2}}, {4, true}), wandb::ValidationError,
                         Message("wandb::OfflineRun::log: step 4 is less than the current step 5" + earlier_steps));
    CHECK(wandb_test::file_sizes(root.path()) == files_before);
    run.log({{"b", 2}}, {5, true});
    CHECK_THROWS_MATCHES(run.log({{"a", 3}}, 5), wandb::ValidationError,
                         Message("wandb::OfflineRun::log: step 5 is less than the current step 6" + earlier_steps));
    run.log({{"a", 3}}, 6);
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    CHECK(rows_of(log) ==
          std::vector<wandb::Json>{wandb::Json{{"a", 1}, {"b", 2}, {"_step", 5}}, wandb::Json{{"a", 3}, {"_step", 6}}});
}

TEST_CASE("The open row is written by finish before the Exit record, and by a destructor during an exception",
          "[steps]") {
    TempDir root;
    fs::path log_path;
    {
        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path() / "finish"));
        run.log({{"a", 1}}, 2);
        run.finish();
        const auto log = wandb_test::read_back(run.log_path());
        CHECK(rows_of(log) == std::vector<wandb::Json>{wandb::Json{{"a", 1}, {"_step", 2}}});
        CHECK(kinds_after_start(log) == std::vector<std::string>{"history", "summary", "summary", "exit", "final"});
    }
    try {
        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path() / "unwinding"));
        log_path = run.log_path();
        run.log({{"a", 1}});
        run.log({{"b", 2}, {"img", small_image(5)}}, {{}, false});
        throw std::runtime_error("training failed");
    } catch (const std::runtime_error&) {
    }
    const auto log = wandb_test::read_back(log_path);
    REQUIRE_FALSE(log.problem);
    const auto rows = rows_of(log);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == wandb::Json{{"a", 1}, {"_step", 0}});
    CHECK(rows[1]["b"] == 2);
    CHECK(rows[1]["_step"] == 1);
    CHECK(rows[1]["img"]["_type"] == "image-file");
    REQUIRE(log.of_kind("exit").size() == 1);
    CHECK(log.of_kind("exit")[0]["exit_code"] == 1);
}

TEST_CASE("A process killed between the calls of one step loses exactly the open row", "[steps][crash]") {
    TempDir root;
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        try {
            wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
            run.log({{"loss", 0.5}, {"img", small_image(1)}});     // step 0, written
            run.log({{"loss", 0.25}}, {{}, false});                // step 1, open
            run.log({{"val/iou", 0.5}, {"img", small_image(2)}}, {{}, false});  // its media are written now
            (void)!::write(ready[1], "r", 1);
            ::pause();  // killed here, between the calls of step 1
        } catch (...) {
        }
        ::_exit(3);
    }
    ::close(ready[1]);
    char byte = 0;
    const bool reached = ::read(ready[0], &byte, 1) == 1;
    ::kill(child, SIGKILL);
    ::close(ready[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(reached);
    REQUIRE(WIFSIGNALED(status));
    const fs::path run_dir = wandb_test::find_run_dir(root.path());
    const auto log = wandb_test::read_back(wandb_test::find_log(run_dir));
    CHECK_FALSE(log.problem);  // every record is whole: each was written in one append
    const auto rows = rows_of(log);
    REQUIRE(rows.size() == 1);  // step 0 and nothing of step 1
    CHECK(rows[0]["loss"] == 0.5);
    CHECK(rows[0]["_step"] == 0);
    CHECK(kinds_after_start(log) == std::vector<std::string>{"files", "files", "config", "history", "summary", "files",
                                                             "files"});
    // The open row's media files are on disk and announced, as the SDK saves them at the call;
    // the only thing lost is the open row itself: no file is missing or broken.
    CHECK(wandb_test::run_problems(run_dir, log, false) == std::vector<std::string>{});
    std::set<std::string> announced;
    for (const auto& f : log.of_kind("files"))
        for (const auto& i : f["files"]) announced.insert(i["path"]);
    std::size_t of_step_1 = 0;
    for (const std::string& p : announced) of_step_1 += p.find("img_1_") != std::string::npos;
    CHECK(of_step_1 == 2);  // the image and its mask
}

TEST_CASE("Threads logging commit=false pieces and commits lose and duplicate nothing", "[steps][threads]") {
    TempDir root;
    wandb::OfflineRunOptions options = wandb_test::quiet_run_options(root.path());
    options.media_threads = 2;
    wandb::OfflineRun run(options);
    constexpr int threads = 4, calls = 150;
    const wandb::Image shared = small_image(7);  // the same bytes under one key: one name per step
    std::vector<std::string> errors(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            try {
                for (int i = 0; i < calls; ++i) {
                    wandb::Row row{{"t" + std::to_string(t) + "_" + std::to_string(i), i}};
                    if (i % 10 == 0) row.emplace_back("img", shared);
                    run.log(row, {{}, t == 0 && i % 3 == 0});  // thread 0 commits now and then
                }
            } catch (const std::exception& e) {
                errors[t] = e.what();
            }
        });
    for (auto& th : pool) th.join();
    for (const auto& e : errors) CHECK(e.empty());
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    REQUIRE_FALSE(log.problem);
    std::set<std::string> keys;
    std::size_t values = 0;
    std::int64_t previous_step = -1;
    for (const wandb::Json& row : rows_of(log)) {
        CHECK(row["_step"].get<std::int64_t>() == previous_step + 1);  // commits only: steps 0, 1, 2, ...
        previous_step = row["_step"];
        for (auto it = row.begin(); it != row.end(); ++it)
            if (it.key() != "_step" && it.key() != "img") {
                keys.insert(it.key());
                ++values;
            }
    }
    CHECK(values == std::size_t(threads * calls));  // each call's value in exactly one row
    CHECK(keys.size() == std::size_t(threads * calls));
    // Every file a row names or a Files record announces is there, though calls of several
    // threads claimed the same names. (Not strict: an image logged twice into one open row keeps
    // the last one, as in the SDK, so the earlier file is named by no row.)
    CHECK(wandb_test::run_problems(run.dir(), log, false) == std::vector<std::string>{});
}

TEST_CASE("A failed call does not remove the media files a logged call of the same step also names", "[steps][faults]") {
    // Two calls of one step name identical bytes under one key alike (<key>_<step>_<sha256[:20]>).
    // The name of the image that will fail, learnt from a scratch run (it depends only on the key,
    // the step and the bytes).
    std::string blocked;
    {
        TempDir scratch;
        wandb::OfflineRun run(wandb_test::quiet_run_options(scratch.path()));
        run.log({{"other", small_image(9)}});
        run.finish();
        blocked = wandb_test::item_value(wandb_test::read_back(run.log_path()).of_kind("history").at(0)["item"], "other")["path"];
    }
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"img", small_image(3)}}, {{}, false});  // step 0 stays open; its files are written
    const auto files_before = wandb_test::file_sizes(run.files_dir() / "media");
    REQUIRE(files_before.size() == 2);  // the image and its mask
    fs::create_directories(run.files_dir() / blocked);  // the rename of "other" fails
    CHECK_THROWS_MATCHES(run.log({{"img", small_image(3)}, {"other", small_image(9)}}, {{}, false}), wandb::IoError,
                         Message("wandb::OfflineRun::log: cannot rename a temporary file to " +
                                 (run.files_dir() / blocked).string() + ": Is a directory"));
    fs::remove(run.files_dir() / blocked);
    // The failed call wrote "img" under the same names and gave them up: the files stay.
    CHECK(wandb_test::file_sizes(run.files_dir() / "media") == files_before);
    run.log({{"a", 1}});  // commits step 0
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    const auto rows = rows_of(log);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].contains("img"));
    CHECK_FALSE(rows[0].contains("other"));
    CHECK(wandb_test::run_problems(run.dir(), log, true) == std::vector<std::string>{});
}

}  // namespace test_steps
