// Resume after preemption (issue 12, OfflineRunOptions::resume): a job killed with SIGKILL and
// started again with the same run id continues after the last step its earlier fragments wrote,
// with their summary and config; the fragments together hold every step once, in order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <signal.h>
#include <sys/wait.h>

#include <wandb/detail/nested_items.hpp>
#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/spawn_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_resume {

using Catch::Matchers::Message;
using wandb_test::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// The fragment directories of `run_id` below `root`, oldest first (the names hold the start time).
std::vector<fs::path> fragments_of(const fs::path& root, const std::string& run_id) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(root / "wandb")) {
        const std::string name = e.path().filename().string();
        if (name.rfind("offline-run-", 0) == 0 && name.size() > run_id.size() &&
            name.compare(name.size() - run_id.size() - 1, std::string::npos, "-" + run_id) == 0)
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// How many rows wandb_test_run has logged below `root` so far, all its processes together.
std::size_t logged_rows(const fs::path& root) {
    const std::string text = wandb_test::file_text(root / "timeline.jsonl");
    std::size_t n = 0;
    for (std::size_t at = text.find("\"logged\""); at != std::string::npos; at = text.find("\"logged\"", at + 1)) ++n;
    return n;
}

/// Starts wandb_test_run below `root` for run `id` with `extra` arguments.
pid_t start_job(const TempDir& root, const std::string& id, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {WANDB_TEST_RUN, root.path().string(), "--id", id, "--no-stats"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return wandb_test::spawn_program(argv, {}, root / "out.txt", root / "err.txt");
}

/// Starts a job that logs for ever, waits until it has logged `rows` more rows, and kills it.
void run_until_killed(const TempDir& root, const std::string& id, const std::string& resume, std::size_t rows) {
    const std::size_t before = logged_rows(root.path());
    const pid_t job = start_job(root, id, {"--resume", resume, "--rows", "1000000", "--sleep-ms", "2"});
    const bool logged = wandb_test::eventually([&] { return logged_rows(root.path()) >= before + rows; }, 60s);
    ::kill(job, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(job, &status, 0) == job);
    REQUIRE(logged);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
}

/// The summary a log's Summary records build, each item set as wandb-core's sender sets it (a
/// `key` item replaces the top-level value, a `nested_key` item one leaf).
wandb::Json summary_of(const wandb_test::ReadBack& log) {
    wandb::Json summary = wandb::Json::object();
    for (const wandb::Json& s : log.of_kind("summary"))
        for (const wandb::Json& item : s["update"]) {
            const wandb::Json values = wandb_test::history_row(wandb::Json::array({item}));
            if (item.contains("key")) {
                for (auto it = values.begin(); it != values.end(); ++it) summary[it.key()] = it.value();
            } else {
                wandb::detail::merge_leaves(summary, values);
            }
        }
    return summary;
}

/// The history rows of a log, in order.
std::vector<wandb::Json> rows_of(const wandb_test::ReadBack& log) {
    std::vector<wandb::Json> rows;
    for (const wandb::Json& h : log.of_kind("history")) rows.push_back(wandb_test::history_row(h["item"]));
    return rows;
}

}  // namespace

TEST_CASE("A job killed with SIGKILL twice and resumed each time writes every step once, in order", "[resume]") {
    TempDir root;
    const std::string id = "preempt1";
    run_until_killed(root, id, "allow", 5);  // no fragment yet: allow starts a fresh run
    run_until_killed(root, id, "must", 5);
    const pid_t last = start_job(root, id, {"--resume", "must", "--rows", "4"});
    const std::optional<int> status = wandb_test::wait_for_exit(last, 60s);
    REQUIRE(status);
    REQUIRE(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
    CHECK(wandb_test::file_text(root / "err.txt") == "");

    const std::vector<fs::path> dirs = fragments_of(root.path(), id);
    REQUIRE(dirs.size() == 3);
    std::vector<wandb_test::ReadBack> logs;
    for (const fs::path& d : dirs) logs.push_back(wandb_test::read_back(d / ("run-" + id + ".wandb")));

    // Every step exactly once and in order across the fragments, each row's value as logged.
    std::vector<std::int64_t> steps;
    std::vector<std::vector<wandb::Json>> rows;
    for (const auto& log : logs) {
        rows.push_back(rows_of(log));
        for (const wandb::Json& row : rows.back()) {
            steps.push_back(row["_step"].get<std::int64_t>());
            CHECK(row["loss"] == 1.0 / static_cast<double>(row["_step"].get<std::int64_t>() + 1));
        }
    }
    REQUIRE(rows[0].size() >= 5);
    REQUIRE(rows[1].size() >= 5);
    REQUIRE(rows[2].size() == 4);
    std::vector<std::int64_t> expected(steps.size());
    std::iota(expected.begin(), expected.end(), std::int64_t{0});
    CHECK(steps == expected);

    // The Run records: the first fragment is a fresh run, the others resume after the last step
    // of the fragments before them.
    const wandb::Json first_run = logs[0].of_kind("run").at(0);
    CHECK_FALSE(first_run.contains("resumed"));
    CHECK_FALSE(first_run.contains("starting_step"));
    for (std::size_t k = 1; k < 3; ++k) {
        const wandb::Json run = logs[k].of_kind("run").at(0);
        CHECK(run["run_id"] == id);
        CHECK(run["resumed"] == true);
        CHECK(run["starting_step"] == rows[k - 1].back()["_step"].get<std::int64_t>() + 1);
        CHECK(rows[k].front()["_step"] == run["starting_step"]);
        // Its first Summary record, before any row, is the summary the fragments before it end with.
        const wandb::Json carried = summary_of(logs[k - 1]);
        REQUIRE(logs[k].records.size() > 3);
        REQUIRE(logs[k].records[3].contains("summary"));
        wandb::Json first_summary = wandb_test::history_row(logs[k].records[3]["summary"]["update"]);
        wandb::Json without_wandb = carried;
        without_wandb.erase("_wandb");
        CHECK(first_summary == without_wandb);
    }
    // Only the last fragment finished; the killed ones have no Exit record.
    CHECK(logs[0].of_kind("exit").empty());
    CHECK(logs[1].of_kind("exit").empty());
    CHECK(logs[2].of_kind("exit").size() == 1);

    // The last fragment alone shows the run's summary: the last logged row's values.
    const wandb::Json& last_row = rows[2].back();
    const wandb::Json summary = summary_of(logs[2]);
    CHECK(summary["loss"] == 1.0 / static_cast<double>(steps.back() + 1));
    CHECK(summary["_step"] == steps.back());
    CHECK(summary["_timestamp"] == last_row["_timestamp"]);
    const wandb::Json summary_file = wandb::Json::parse(wandb_test::file_text(dirs[2] / "files" / "wandb-summary.json"));
    CHECK(summary_file["loss"] == summary["loss"]);
    CHECK(summary_file["_step"] == steps.back());
}

TEST_CASE("A resumed run continues the step, config and summary of the finished run before it", "[resume]") {
    TempDir root;
    wandb::OfflineRunOptions options = wandb_test::quiet_run_options(root.path());
    options.system_metrics = false;
    options.run_id = "carry01";
    options.config = {{"lr", 0.1}, {"arch", "unet"}};
    fs::path first_dir;
    {
        wandb::OfflineRun run(options);
        first_dir = run.dir();
        for (int i = 0; i < 3; ++i) run.log({{"loss", 0.5 * i}, {"nested", wandb::Json{{"a", i}}}});
        run.update_summary({{"best", 7}});
        run.update_config({{"epochs", 12}});
        run.finish();
    }
    options.resume = wandb::Resume::allow;
    options.config = {{"lr", 0.2}};
    wandb::OfflineRun run(options);
    CHECK(run.dir() != first_dir);  // the same second waits for the next one
    CHECK(run.dir().parent_path() == first_dir.parent_path());
    CHECK(run.next_step() == 3);
    run.log({{"val", 1.5}});
    CHECK(run.next_step() == 4);
    run.finish();

    const auto log = wandb_test::read_back(run.log_path());
    CHECK_FALSE(log.problem);
    const wandb::Json record = log.of_kind("run").at(0);
    CHECK(record["resumed"] == true);
    CHECK(record["starting_step"] == 3);
    CHECK(wandb_test::history_row(record["config"]["update"]) ==
          wandb::Json{{"lr", 0.2}, {"arch", "unet"}, {"epochs", 12}});
    const auto rows = rows_of(log);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]["_step"] == 3);
    CHECK(rows[0]["val"] == 1.5);
    const wandb::Json summary = summary_of(log);
    CHECK(summary["loss"] == 0.5 * 2);
    CHECK(summary["nested"] == wandb::Json{{"a", 2}});
    CHECK(summary["best"] == 7);
    CHECK(summary["val"] == 1.5);
    CHECK(summary["_step"] == 3);
    const wandb::Json file = wandb::Json::parse(wandb_test::file_text(run.files_dir() / "wandb-summary.json"));
    CHECK(file["best"] == 7);
    CHECK(file["loss"] == 0.5 * 2);
    const std::string yaml = wandb_test::file_text(run.files_dir() / "config.yaml");
    CHECK(yaml.find("epochs:\n    value: 12\n") != std::string::npos);
    CHECK(yaml.find("lr:\n    value: 0.2\n") != std::string::npos);
}

TEST_CASE("resume allow without an earlier fragment starts a fresh run", "[resume]") {
    TempDir root;
    wandb::OfflineRunOptions options = wandb_test::quiet_run_options(root.path());
    options.system_metrics = false;
    options.run_id = "fresh01";
    options.resume = wandb::Resume::allow;
    wandb::OfflineRun other_id([&] {
        wandb::OfflineRunOptions o = options;
        o.run_id = "fresh01x";  // a fragment of another id that ends like this one is not ours
        o.resume = wandb::Resume::never;
        return o;
    }());
    other_id.log({{"a", 1}});
    other_id.finish();
    wandb::OfflineRun run(options);
    CHECK(run.next_step() == 0);
    run.finish();
    const wandb::Json record = wandb_test::read_back(run.log_path()).of_kind("run").at(0);
    CHECK_FALSE(record.contains("resumed"));
    CHECK_FALSE(record.contains("starting_step"));
}

TEST_CASE("resume must without an earlier fragment, or with no run id, is refused", "[resume][errors]") {
    TempDir root;
    wandb::OfflineRunOptions options = wandb_test::quiet_run_options(root.path());
    options.system_metrics = false;
    options.run_id = "abc";
    options.resume = wandb::Resume::must;
    const std::string wandb_dir = (root.path() / "wandb").string();
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message("wandb::OfflineRun: option resume is must but " + wandb_dir +
                                 " holds no fragment of run \"abc\" (a directory "
                                 "offline-run-<YYYYMMDD_HHMMSS>-abc with run-abc.wandb)"));
    CHECK_FALSE(fs::exists(root.path() / "wandb"));  // nothing was created
    options.run_id = "";
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message("wandb::OfflineRun: option resume is must but run_id is empty; a resumed run "
                                 "needs the id of the run it continues"));
    options.resume = wandb::Resume::allow;
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message("wandb::OfflineRun: option resume is allow but run_id is empty; a resumed run "
                                 "needs the id of the run it continues"));
}

TEST_CASE("A run does not resume a fragment that a live run still writes", "[resume][errors]") {
    TempDir root;
    wandb::OfflineRunOptions options = wandb_test::quiet_run_options(root.path());
    options.system_metrics = false;
    options.run_id = "live01";
    wandb::OfflineRun writing(options);
    options.resume = wandb::Resume::must;
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Message("wandb::OfflineRun: cannot resume run \"live01\": " + writing.log_path().string() +
                                 " is still being written by a live process"));
}

}  // namespace test_resume
