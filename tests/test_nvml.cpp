// Tests for the GPU metrics (detail/nvml.hpp): a run in a process of its own loads the fake
// libnvidia-ml.so.1 of tests/fake_nvml/ through LD_LIBRARY_PATH, as it would load NVIDIA's. The
// expected names, units and formulas are those of W&B's GPU sampler (xpu/src/gpu_nvidia.rs:
// utilization as a float and memory utilization as an integer, used / total x 100, milliwatts /
// 1000, clocks in MHz as integers), applied to the fake's fixed readings.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <wandb/detail/nvml.hpp>
#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/spawn_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_nvml {

namespace fs = std::filesystem;
using wandb_test::TempDir;
using namespace std::chrono_literals;

namespace {

struct GpuRun {
    std::vector<std::map<std::string, std::string>> gpu_stats;  // GPU Stats records: key -> value_json
    std::size_t system_stats = 0;                               // the other Stats records
    wandb::Json metadata;                                       // files/wandb-metadata.json
    wandb::Json environment;                                    // the Environment record, decoded
    std::string err;                                            // the job's stderr
    int exit_status = -1;
};

/// Runs wandb_test_run below `root` with the fake NVML on LD_LIBRARY_PATH and `env` added.
GpuRun run_with_fake_nvml(const TempDir& root, std::vector<std::string> args,
                          std::map<std::string, std::optional<std::string>> env = {}) {
    env["LD_LIBRARY_PATH"] = std::string(WANDB_TEST_FAKE_NVML_DIR);
    std::vector<std::string> argv = {WANDB_TEST_RUN, root.path().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const pid_t pid = wandb_test::spawn_program(argv, env, root / "out.txt", root / "err.txt");
    const auto status = wandb_test::wait_for_exit(pid, 60s);
    GpuRun out;
    out.exit_status = status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    out.err = wandb_test::file_text(root / "err.txt");
    const fs::path dir = wandb_test::find_run_dir(root.path());
    out.metadata = wandb::Json::parse(wandb_test::file_text(dir / "files/wandb-metadata.json"));
    const auto log = wandb_test::read_back(wandb_test::find_log(dir));
    if (!log.of_kind("environment").empty()) out.environment = log.of_kind("environment").front();
    for (const auto& s : log.of_kind("stats")) {
        std::map<std::string, std::string> items;
        for (const auto& i : s["item"]) items[i["key"]] = i["value_json"];
        if (!items.empty() && items.begin()->first.rfind("gpu.", 0) == 0)
            out.gpu_stats.push_back(items);
        else
            ++out.system_stats;
    }
    return out;
}

}  // namespace

TEST_CASE("GPU metrics come through NVML with W&B's names and units, and the metadata names the GPUs", "[nvml]") {
    TempDir root;
    const GpuRun run = run_with_fake_nvml(root, {"--rows", "4", "--sleep-ms", "120", "--stats-ms", "100"});
    REQUIRE(run.exit_status == 0);
    CHECK(run.err == "");
    REQUIRE(run.gpu_stats.size() >= 2);
    CHECK(run.system_stats == run.gpu_stats.size());  // one record per sampler and interval, as wandb-core
    const std::map<std::string, std::string> expected_text = {{"gpu.0.gpu", "37.0"},
                                                              {"gpu.0.memory", "12"},
                                                              {"gpu.0.memoryAllocated", "25.0"},
                                                              {"gpu.0.memoryAllocatedBytes", "4294967296"},
                                                              {"gpu.0.temp", "61.0"},
                                                              {"gpu.0.powerWatts", "123.456"},
                                                              {"gpu.0.enforcedPowerLimitWatts", "250.0"},
                                                              {"gpu.0.smClock", "1410"},
                                                              {"gpu.0.memoryClock", "1215"},
                                                              {"gpu.1.gpu", "0.0"},
                                                              {"gpu.1.memory", "0"},
                                                              {"gpu.1.memoryAllocated", "0.0"},
                                                              {"gpu.1.memoryAllocatedBytes", "0"},
                                                              {"gpu.1.temp", "45.0"},
                                                              {"gpu.1.powerWatts", "70.0"},
                                                              {"gpu.1.enforcedPowerLimitWatts", "70.0"},
                                                              {"gpu.1.powerPercent", "100.0"},
                                                              {"gpu.1.smClock", "300"},
                                                              {"gpu.1.memoryClock", "5000"}};
    for (const auto& record : run.gpu_stats) {
        CHECK(record.size() == expected_text.size() + 1);
        for (const auto& [key, text] : expected_text) {
            CAPTURE(key);
            REQUIRE(record.count(key) == 1);
            CHECK(record.at(key) == text);
        }
        REQUIRE(record.count("gpu.0.powerPercent") == 1);
        CHECK(std::stod(record.at("gpu.0.powerPercent")) == Approx(123.456 / 250 * 100));
    }
    CHECK(run.metadata["gpu"] == "Fake GPU A100");
    CHECK(run.metadata["gpu_count"] == 2);
    CHECK(run.metadata["gpu_nvidia"].dump() ==
          R"([{"name":"Fake GPU A100","memoryTotal":"17179869184","uuid":"GPU-11111111-2222-3333-4444-555555555555"},)"
          R"({"name":"Fake GPU T4","memoryTotal":"16106127360","uuid":"GPU-66666666-7777-8888-9999-000000000000"}])");
    CHECK(run.metadata["cudaVersion"] == "12.2");
    // The Environment record, from which wandb-core makes the uploaded metadata, names them too
    // (EnvironmentRecord gpu_type 18, gpu_count 19, gpu_nvidia 24, cuda_version 25).
    CHECK(run.environment["gpu_type"] == "Fake GPU A100");
    CHECK(run.environment["gpu_count"] == 2);
    CHECK(run.environment["gpu_nvidia"].dump() ==
          R"([{"name":"Fake GPU A100","memory_total":17179869184,"uuid":"GPU-11111111-2222-3333-4444-555555555555"},)"
          R"({"name":"Fake GPU T4","memory_total":16106127360,"uuid":"GPU-66666666-7777-8888-9999-000000000000"}])");
    CHECK(run.environment["cuda_version"] == "12.2");
}

TEST_CASE("A GPU metric that fails is dropped for its device with one warning", "[nvml][errors]") {
    TempDir root;
    const GpuRun run = run_with_fake_nvml(root, {"--rows", "4", "--sleep-ms", "120", "--stats-ms", "100"},
                                          {{"FAKE_NVML_FAIL", "DeviceGetTemperature"}, {"FAKE_NVML_FAIL_DEVICE", "0"}});
    REQUIRE(run.exit_status == 0);
    CHECK(run.err ==
          "wandb: warning: GPU metrics gpu.0.temp: nvmlDeviceGetTemperature failed: Unknown Error; not sampled any "
          "more\n");
    REQUIRE(run.gpu_stats.size() >= 2);
    for (const auto& record : run.gpu_stats) {
        CHECK(record.count("gpu.0.temp") == 0);
        CHECK(record.at("gpu.1.temp") == "45.0");
        CHECK(record.at("gpu.0.gpu") == "37.0");
    }
}

TEST_CASE("Without a working NVML, or with system metrics off, nothing about GPUs is written", "[nvml]") {
    TempDir failing;
    const GpuRun no_init = run_with_fake_nvml(failing, {"--rows", "3", "--sleep-ms", "120", "--stats-ms", "100"},
                                              {{"FAKE_NVML_FAIL", "Init_v2"}});
    REQUIRE(no_init.exit_status == 0);
    CHECK(no_init.err == "");
    CHECK(no_init.gpu_stats.empty());
    CHECK(no_init.system_stats >= 2);
    CHECK_FALSE(no_init.metadata.contains("gpu"));
    CHECK_FALSE(no_init.environment.contains("gpu_type"));
    CHECK_FALSE(no_init.environment.contains("gpu_nvidia"));

    TempDir off;
    const GpuRun disabled = run_with_fake_nvml(off, {"--rows", "2", "--sleep-ms", "120", "--no-stats"});
    REQUIRE(disabled.exit_status == 0);
    CHECK(disabled.gpu_stats.empty());
    CHECK(disabled.system_stats == 0);
    CHECK_FALSE(disabled.metadata.contains("gpu"));
    CHECK_FALSE(disabled.metadata.contains("gpu_nvidia"));

    // In this process, LD_LIBRARY_PATH has no fake: only a real NVML would be found.
    std::string why;
    if (wandb::detail::NvmlLibrary::instance(&why)) {
        WARN("this machine has a working libnvidia-ml.so.1: the no-NVML case is not checked in-process");
    } else {
        CHECK_FALSE(why.empty());
        TempDir here;
        wandb::OfflineRun run(wandb_test::quiet_run_options(here.path()));
        run.finish();
        const auto metadata = wandb::Json::parse(wandb_test::file_text(run.files_dir() / "wandb-metadata.json"));
        CHECK_FALSE(metadata.contains("gpu"));
    }
}

TEST_CASE("GPU facts go to wandb-metadata.json as the SDK's protojson names them", "[nvml]") {
    wandb::detail::GpuFacts facts;
    wandb::Json m = wandb::Json::object();
    wandb::detail::add_gpu_facts(m, facts);
    CHECK(m.dump() == "{}");
    facts.devices = {{"A", 1024, "GPU-a"}, {"B", 0, ""}};
    facts.cuda_version = "12.4";
    wandb::detail::add_gpu_facts(m, facts);
    CHECK(m.dump() == R"({"gpu":"A","gpu_count":2,"gpu_nvidia":[{"name":"A","memoryTotal":"1024","uuid":"GPU-a"},)"
                      R"({"name":"B"}],"cudaVersion":"12.4"})");
}

}  // namespace test_nvml
