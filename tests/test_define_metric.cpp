// define_metric (issue 12): the SDK's MetricRecords, and the summaries the library computes for
// defined metrics as wandb-core's handler would (a synced run's summary is what its log holds),
// checked against values computed here from the numbers logged.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_define_metric {

using Catch::Matchers::Message;
using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

/// The run's final summary as wandb-summary.json holds it.
wandb::Json summary_file(const wandb::OfflineRun& run) {
    const auto bytes = wandb_test::read_bytes(run.files_dir() / "wandb-summary.json");
    return wandb::Json::parse(bytes.begin(), bytes.end());
}

/// The summary the log's Summary records add up to, merged in order as W&B applies them.
wandb::Json summary_of_log(const wandb_test::ReadBack& log) {
    wandb::Json summary = wandb::Json::object();
    for (const auto& s : log.of_kind("summary")) {
        const wandb::Json update = wandb_test::history_row(s["update"]);
        for (auto it = update.begin(); it != update.end(); ++it) summary[it.key()] = it.value();
    }
    return summary;
}

std::vector<wandb::Json> metric_records(const wandb_test::ReadBack& log) { return log.of_kind("metric"); }

const std::vector<double> losses = {0.9, 0.4, 0.7, 0.2, 0.5, 0.3};

}  // namespace

TEST_CASE("define_metric writes the SDK's MetricRecord at the call", "[define_metric]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.define_metric("epoch");
    wandb::MetricOptions val;
    val.step_metric = "epoch";
    val.summary = "max,MEAN";
    run.define_metric("val/iou", val);
    wandb::MetricOptions glob;
    glob.summary = "best";
    glob.goal = "Maximize";
    glob.hidden = true;
    run.define_metric("train/*", glob);
    wandb::MetricOptions again;
    again.summary = "none";
    again.step_sync = false;
    again.overwrite = true;
    run.define_metric("val/iou", again);
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    REQUIRE_FALSE(log.problem);
    // wandb_metric.py Metric._commit: options.defined always; name, or glob_name for a name
    // ending in *; step_sync defaults to true with a step metric; the summary's kinds; the goal.
    CHECK(metric_records(log) ==
          std::vector<wandb::Json>{
              wandb::Json::parse(R"({"name":"epoch","options":{"defined":true}})"),
              wandb::Json::parse(R"({"name":"val/iou","step_metric":"epoch","options":{"step_sync":true,"defined":true},)"
                                 R"("summary":{"max":true,"mean":true}})"),
              wandb::Json::parse(R"({"glob_name":"train/*","options":{"hidden":true,"defined":true},)"
                                 R"("summary":{"best":true},"goal":"GOAL_MAXIMIZE"})"),
              wandb::Json::parse(R"({"name":"val/iou","options":{"defined":true},"summary":{"none":true},)"
                                 R"("_control":{"overwrite":true}})")});
    CHECK(log.records[3].contains("metric"));  // the first record after the start: written at the call
}

TEST_CASE("Summaries of min, max, mean, last and first are computed from the values logged", "[define_metric]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    wandb::MetricOptions all;
    all.summary = "min,max,mean,last,first";
    run.define_metric("loss", all);
    wandb::MetricOptions max_only;
    max_only.summary = "max";
    run.define_metric("count", max_only);
    for (std::size_t i = 0; i < losses.size(); ++i) run.log({{"loss", losses[i]}, {"count", int(i * 3 % 5)}, {"plain", losses[i]}});
    run.finish();
    const double min = *std::min_element(losses.begin(), losses.end());
    const double max = *std::max_element(losses.begin(), losses.end());
    const double mean = std::accumulate(losses.begin(), losses.end(), 0.0) / double(losses.size());
    int count_max = 0;
    for (std::size_t i = 0; i < losses.size(); ++i) count_max = std::max(count_max, int(i * 3 % 5));
    const auto log = wandb_test::read_back(run.log_path());
    REQUIRE_FALSE(log.problem);
    // runsummary.metricSummary.ToMarshallableValue: an object of the kinds kept.
    const wandb::Json loss_summary = {{"first", losses.front()}, {"last", losses.back()}, {"max", max}, {"mean", mean}, {"min", min}};
    for (const wandb::Json& summary : {summary_of_log(log), summary_file(run)}) {
        CHECK(summary["loss"] == loss_summary);
        CHECK(summary["count"] == wandb::Json{{"max", count_max}});
        CHECK(summary["plain"] == losses.back());  // not defined: the last value
    }
    // Each row's Summary record carries the summary as it is after that row.
    const auto summaries = log.of_kind("summary");
    const wandb::Json first_row = wandb_test::history_row(summaries[0]["update"]);
    CHECK(first_row["loss"] == wandb::Json{{"first", losses[0]}, {"last", losses[0]}, {"max", losses[0]}, {"mean", losses[0]},
                                           {"min", losses[0]}});
    // The History records hold the values as logged.
    std::vector<double> logged;
    for (const auto& h : log.of_kind("history")) logged.push_back(wandb_test::item_value(h["item"], "loss"));
    CHECK(logged == losses);
}

TEST_CASE("best follows the goal: the greatest value with maximize, the least with minimize or none", "[define_metric]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    wandb::MetricOptions maximize;
    maximize.summary = "best";
    maximize.goal = "maximize";
    run.define_metric("acc", maximize);
    wandb::MetricOptions minimize = maximize;
    minimize.goal = "minimize";
    run.define_metric("loss", minimize);
    wandb::MetricOptions no_goal;
    no_goal.summary = "best";
    run.define_metric("err", no_goal);
    for (double x : losses) run.log({{"acc", 1 - x}, {"loss", x}, {"err", x * 2}});
    run.finish();
    std::vector<double> acc;
    for (double x : losses) acc.push_back(1 - x);
    const double least = *std::min_element(losses.begin(), losses.end());
    const wandb::Json summary = summary_file(run);
    CHECK(summary["acc"] == wandb::Json{{"best", *std::max_element(acc.begin(), acc.end())}});
    CHECK(summary["loss"] == wandb::Json{{"best", least}});
    CHECK(summary["err"] == wandb::Json{{"best", least * 2}});  // the SDK's default goal is minimize
}

TEST_CASE("A glob defines every key it matches as a prefix, with a MetricRecord before the first row holding it",
          "[define_metric]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    wandb::MetricOptions glob;
    glob.summary = "min";
    glob.step_metric = "epoch";
    run.define_metric("val/*", glob);
    run.log({{"epoch", 0}, {"val/iou", 0.5}, {"valid", 1.0}, {"train/loss", 0.9}});
    run.log({{"epoch", 1}, {"val/iou", 0.25}, {"val/loss", 0.75}});
    run.log({{"val/iou", 0.375}});  // no epoch: step_sync puts the latest one in
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    REQUIRE_FALSE(log.problem);
    // runmetric.go createGlobMetrics and definedMetric.ToRecord: the whole definition, named by
    // the key, overwriting, expanded_from_glob.
    const auto expanded = [](const std::string& key) {
        return wandb::Json::parse(R"({"name":")" + key +
                                  R"(","step_metric":"epoch","options":{"step_sync":true},"summary":{"min":true},)"
                                  R"("_control":{"overwrite":true},"expanded_from_glob":true})");
    };
    CHECK(metric_records(log) == std::vector<wandb::Json>{
                                     wandb::Json::parse(R"({"glob_name":"val/*","step_metric":"epoch",)"
                                                        R"("options":{"step_sync":true,"defined":true},"summary":{"min":true}})"),
                                     expanded("val/iou"), expanded("val/loss")});
    // Each expanded record comes right before the History record of the row that first holds the key.
    std::vector<std::string> kinds;
    for (std::size_t i = 3; i < log.records.size(); ++i)
        for (auto it = log.records[i].begin(); it != log.records[i].end(); ++it)
            if (it.key() != "num") kinds.push_back(it.key());
    CHECK(std::vector<std::string>(kinds.begin(), kinds.begin() + 7) ==
          std::vector<std::string>{"metric", "metric", "history", "summary", "metric", "history", "summary"});
    const auto histories = log.of_kind("history");
    CHECK(wandb_test::item_value(histories[2]["item"], "epoch") == 1.0);  // synced from the row before
    const wandb::Json summary = summary_file(run);
    CHECK(summary["val/iou"] == wandb::Json{{"min", std::min({0.5, 0.25, 0.375})}});
    CHECK(summary["val/loss"] == wandb::Json{{"min", 0.75}});
    CHECK(summary["valid"] == 1.0);        // "valid" does not start with "val/"
    CHECK(summary["train/loss"] == 0.9);   // not matched
    CHECK(summary["epoch"] == 1.0);
}

TEST_CASE("A dotted name is a nested key, none writes no summary, update_summary replaces a computed one",
          "[define_metric]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    wandb::MetricOptions min;
    min.summary = "min";
    run.define_metric("val.iou", min);
    run.define_metric("a\\.b", min);  // an escaped dot: the key "a.b"
    wandb::MetricOptions none;
    none.summary = "none";
    run.define_metric("secret", none);
    run.define_metric("best", min);
    run.log({{"val", wandb::Row{{"iou", 0.5}}}, {"a.b", 3}, {"secret", 1}, {"best", 2}});
    run.log({{"val", wandb::Row{{"iou", 0.25}}}, {"a.b", 1}, {"secret", 2}, {"best", 1}});
    run.update_summary({{"best", 7}});
    run.log({{"best", 0}});
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    const auto summaries = log.of_kind("summary");
    const wandb::Json second = wandb_test::history_row(summaries[1]["update"]);
    CHECK(second["val"] == wandb::Json{{"iou", {{"min", 0.25}}}});
    CHECK(second["a.b"] == wandb::Json{{"min", 1}});
    CHECK_FALSE(second.contains("secret"));  // none: no summary at all
    const wandb::Json summary = summary_file(run);
    CHECK_FALSE(summary.contains("secret"));
    CHECK(summary["best"] == 0);  // set explicitly, then the last value (runsummary SetExplicit)
}

TEST_CASE("define_metric refuses what the SDK refuses, naming the input", "[define_metric][errors]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    const auto size = fs::file_size(run.log_path());
    CHECK_THROWS_MATCHES(run.define_metric(""), wandb::ValidationError,
                         Message("wandb::OfflineRun::define_metric: the name is empty"));
    CHECK_THROWS_MATCHES(run.define_metric("val/*/iou"), wandb::ValidationError,
                         Message("wandb::OfflineRun::define_metric: name \"val/*/iou\" has a * before its end; a glob "
                                 "may only end with *, as in \"val/*\""));
    wandb::MetricOptions bad;
    bad.summary = "max,median";
    CHECK_THROWS_MATCHES(run.define_metric("loss", bad), wandb::ValidationError,
                         Message("wandb::OfflineRun::define_metric: summary \"max,median\" holds \"median\"; the "
                                 "summaries are min, max, mean, last, first, best, copy and none"));
    wandb::MetricOptions goal;
    goal.goal = "up";
    CHECK_THROWS_MATCHES(run.define_metric("loss", goal), wandb::ValidationError,
                         Message("wandb::OfflineRun::define_metric: goal \"up\" is neither minimize nor maximize"));
    CHECK(fs::file_size(run.log_path()) == size);
    run.finish();
    CHECK_THROWS_MATCHES(run.define_metric("loss"), wandb::ValidationError,
                         Message("wandb::OfflineRun::define_metric: the run has finished"));
}

}  // namespace test_define_metric
