// A run for the tests that need a process of their own: NVML found through LD_LIBRARY_PATH,
// `wandb` found (or not) through PATH, a training process killed while its live sync runs.
// Usage: wandb_test_run ROOT [--rows N] [--sleep-ms M] [--stats-ms S] [--no-stats] [--live]
//                            [--live-timeout-ms T] [--hold-ms H] [--id ID] [--resume allow|must]
// Prints the run directory as its first line, then logs N rows of {"loss": 1 / (step + 1)} M ms
// apart (from the step a resumed run starts at),
// holds H ms, and finishes. ROOT/timeline.jsonl gets {"event":"logged","step":S,"t":ns} per row
// and {"event":"finish","t":ns}, {"event":"finished","t":ns} (CLOCK_MONOTONIC, as steady_clock).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include <wandb/wandb.hpp>

namespace {

long long now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc < 2) {
        std::cerr << "usage: wandb_test_run ROOT [options]\n";
        return 2;
    }
    wandb::OfflineRunOptions options;
    options.root = argv[1];
    options.project = "live";
    options.quiet = true;
    int rows = 3, sleep_ms = 0, hold_ms = 0;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&] {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return std::atoi(argv[++i]);
        };
        if (a == "--rows")
            rows = value();
        else if (a == "--sleep-ms")
            sleep_ms = value();
        else if (a == "--hold-ms")
            hold_ms = value();
        else if (a == "--stats-ms")
            options.system_metrics_interval = std::chrono::milliseconds(value());
        else if (a == "--no-stats")
            options.system_metrics = false;
        else if (a == "--id" && i + 1 < argc)
            options.run_id = argv[++i];
        else if (a == "--resume" && i + 1 < argc) {
            const std::string mode = argv[++i];
            if (mode != "allow" && mode != "must") throw std::runtime_error("--resume is allow or must, not " + mode);
            options.resume = mode == "allow" ? wandb::Resume::allow : wandb::Resume::must;
        } else if (a == "--live")
            options.live_sync = true;
        else if (a == "--live-timeout-ms")
            options.live_sync_timeout = std::chrono::milliseconds(value());
        else
            throw std::runtime_error("unknown option " + a);
    }
    std::ofstream timeline(std::string(argv[1]) + "/timeline.jsonl", std::ios::app);
    wandb::OfflineRun run(options);
    std::cout << run.dir().string() << std::endl;
    for (int row = 0; row < rows; ++row) {
        const std::int64_t step = run.next_step();
        run.log({{"loss", 1.0 / static_cast<double>(step + 1)}});
        timeline << "{\"event\":\"logged\",\"step\":" << step << ",\"t\":" << now_ns() << "}" << std::endl;
        std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
    timeline << "{\"event\":\"finish\",\"t\":" << now_ns() << "}" << std::endl;
    run.finish();
    timeline << "{\"event\":\"finished\",\"t\":" << now_ns() << "}" << std::endl;
    return 0;
} catch (const std::exception& e) {
    std::cerr << "wandb_test_run: " << e.what() << "\n";
    return 1;
}
