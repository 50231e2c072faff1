// wandb::Histogram: numpy's np.histogram (what the SDK computes) over many inputs, checked by
// tests/tools/check_histogram.py with Debian's python3-numpy; the SDK's payload, its refusals,
// and a histogram logged in a row, nested, in a list and in a table.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_histogram {

using wandb_test::TempDir;
using Counts = std::vector<std::int64_t>;
using Edges = std::vector<double>;

namespace {

std::string hex_float(double v) {
    char text[64];
    std::snprintf(text, sizeof text, "%a", v);
    return text;
}

std::string run_python(const std::string& script, const std::string& arg) {
    const std::string python = wandb_test::fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const std::string command = python + " " WANDB_TEST_SOURCE_DIR "/tests/tools/" + script + " " + arg + " 2>&1";
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
        ::pclose(pipe);
    }
    return out;
}

}  // namespace

TEST_CASE("Histogram counts and edges are numpy's np.histogram, over 300 inputs", "[histogram]") {
    TempDir dir;
    std::mt19937_64 random(20261202);
    std::vector<std::pair<std::vector<double>, std::size_t>> cases = {
        {{}, 64},
        {{3.0}, 64},
        {{2.5, 2.5, 2.5}, 10},
        {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10},  // values on every edge, the last one included
        {{-1e-300, 1e-300}, 3},
        {{0.1, 0.2, 0.3, 0.7}, 512},
        {{-5, 5}, 1},
        {{1e15, 1e15 + 1, 1e15 + 3}, 7},
    };
    for (int c = 0; c < 292; ++c) {
        std::vector<double> values(1 + random() % 2000);
        const int mode = c % 4;
        std::normal_distribution<double> normal(random() % 100 - 50.0, 1 + random() % 1000 / 10.0);
        for (double& v : values) {
            if (mode == 0) v = normal(random);
            else if (mode == 1) v = static_cast<double>(random() % 17);  // many values on edges
            else if (mode == 2) v = std::ldexp(static_cast<double>(random() % 1000) - 500.0, static_cast<int>(random() % 60) - 30);
            else v = std::uniform_real_distribution<double>(-1, 1)(random);
        }
        cases.emplace_back(values, 1 + random() % 512);
    }
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const wandb::Histogram h(cases[i].first, cases[i].second);
        wandb::Json doc = wandb::Json::object();
        doc["values"] = cases[i].first;
        doc["num_bins"] = cases[i].second;
        doc["payload"] = h.to_json();
        doc["bins_hex"] = wandb::Json::array();
        for (const double b : h.bins()) doc["bins_hex"].push_back(hex_float(b));
        wandb_test::write_text(dir / ("case-" + std::to_string(1000 + i) + ".json"), doc.dump());
    }
    const std::string out = run_python("check_histogram.py", dir.path().string());
    CHECK(out == "checked 300 histograms: OK\n");
}

TEST_CASE("A Histogram's payload is the SDK's, from counts and edges too", "[histogram]") {
    const wandb::Histogram counts(Counts{1, 0, 3}, Edges{0.0, 0.5, 1.0, 1.5});
    CHECK(wandb::Json(counts).dump() == R"({"_type":"histogram","values":[1,0,3],"bins":[0.0,0.5,1.0,1.5]})");
    const wandb::Histogram density(std::vector<double>{0.25, 0.75}, Edges{-1.0, 0.0, 1.0});
    CHECK(density.to_json().dump() == R"({"_type":"histogram","values":[0.25,0.75],"bins":[-1.0,0.0,1.0]})");
    CHECK(wandb::Histogram({1.0, 2.0}, 2).to_json().dump() == R"({"_type":"histogram","values":[1,1],"bins":[1.0,1.5,2.0]})");
}

TEST_CASE("Histogram refuses what W&B or numpy refuses, naming the value", "[histogram][errors]") {
    using wandb::Histogram;
    using wandb::ValidationError;
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_MATCHES(Histogram({1.0, nan}), ValidationError,
                         Catch::Message("wandb::Histogram: value nan at index 1 is not finite"));
    CHECK_THROWS_MATCHES(Histogram({-inf}), ValidationError, Catch::Message("wandb::Histogram: value -inf at index 0 is not finite"));
    CHECK_THROWS_MATCHES(Histogram({1.0}, 0), ValidationError, Catch::Message("wandb::Histogram: 0 bins; W&B takes 1..512"));
    CHECK_THROWS_MATCHES(Histogram({1.0}, 513), ValidationError, Catch::Message("wandb::Histogram: 513 bins; W&B takes 1..512"));
    CHECK_THROWS_MATCHES(Histogram(Counts{1, 2}, Edges{0.0, 1.0}), ValidationError,
                         Catch::Message("wandb::Histogram: 2 bin edges for 2 counts; there must be one edge more than counts"));
    CHECK_THROWS_MATCHES(Histogram(Counts{1, 2}, Edges{0.0, 1.0, 1.0}), ValidationError,
                         Catch::Message("wandb::Histogram: bin edge 1 at index 2 is not greater than the one before, 1; edges must increase"));
    CHECK_THROWS_MATCHES(Histogram(Counts{1}, Edges{0.0, inf}), ValidationError,
                         Catch::Message("wandb::Histogram: bin edge inf at index 1 is not finite"));
    CHECK_THROWS_MATCHES(Histogram(std::vector<double>{nan}, Edges{0.0, 1.0}), ValidationError,
                         Catch::Message("wandb::Histogram: count nan at index 0 is not finite"));
    CHECK_THROWS_MATCHES(Histogram(std::vector<std::int64_t>(513, 1), std::vector<double>(514, 0.0)), ValidationError,
                         Catch::Message("wandb::Histogram: 513 bins; W&B takes 1..512"));
}

TEST_CASE("A histogram is logged as a history value, nested, in a list and as a table cell", "[histogram][offline_run]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    const wandb::Histogram h(Counts{2, 5}, Edges{0.0, 1.0, 2.0});
    const std::string payload = R"({"_type":"histogram","values":[2,5],"bins":[0.0,1.0,2.0]})";
    wandb::Table table({"h", "n"});
    table.add_data({h, 1});
    table.add_data({nullptr, 2});
    run.log({{"grad", h}, {"val", wandb::Row{{"weights", h}}}, {"list", wandb::Json::array({h, h})}, {"tab", table}});
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    const auto histories = log.of_kind("history");
    REQUIRE(histories.size() == 1);
    const std::vector<wandb::Json> rows = {wandb_test::history_row(histories[0]["item"])};
    CHECK(rows[0]["grad"].dump() == payload);
    CHECK(rows[0]["val"]["weights"].dump() == payload);
    CHECK(rows[0]["list"].dump() == "[" + payload + "," + payload + "]");
    // The table's column type is the SDK's PythonObjectType of class "Histogram", optional.
    const auto artifacts = log.of_kind("artifact");
    REQUIRE(artifacts.size() == 1);
    std::string table_file;
    for (const auto& entry : artifacts[0]["manifest"]["contents"])
        if (entry["path"] == "tab.table.json") table_file = entry["local_path"];
    REQUIRE(!table_file.empty());
    const auto bytes = wandb_test::read_bytes(table_file);
    const auto table_json = nlohmann::json::parse(bytes.begin(), bytes.end());  // sorted keys, as the file has them
    CHECK(table_json["column_types"]["params"]["type_map"]["h"].dump() ==
          R"({"params":{"allowed_types":[{"wb_type":"none"},{"params":{"class_name":"Histogram"},"wb_type":"pythonObject"}]},"wb_type":"union"})");
    CHECK(table_json["data"][0][0].dump() == R"({"_type":"histogram","bins":[0.0,1.0,2.0],"values":[2,5]})");
    // A histogram cell cannot go in a number column, nor a number in a histogram column.
    wandb::Table mixed({"x"});
    mixed.add_data({h});
    CHECK_THROWS_MATCHES(mixed.add_data({1.5}), wandb::ValidationError,
                         Catch::Message("wandb::Table: row 1, column \"x\": a number cell, but the column holds Histogram values"));
}

}  // namespace test_histogram
