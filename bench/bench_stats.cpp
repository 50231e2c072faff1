// Does the system-metrics sampler slow a scalar `log`? Times 20,000 `log({loss, accuracy})` calls
// per run, each call on its own, in runs with the sampler off, on at W&B's default interval (15 s)
// and on at W&B's minimum (100 ms, 150 samples per run at least), the three interleaved over
// several rounds; prints the median and 99th percentile per call and each median's ratio to the
// sampler-off median measured in the same round (the median of those ratios over the rounds).
// Usage: bench_stats [DIR] [ROUNDS]   (DIR: where the runs go, default a new directory in /tmp)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <wandb/wandb.hpp>

namespace {

struct Result {
    double median_us = 0;
    double p99_us = 0;
};

double percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

Result time_logs(const std::filesystem::path& root, bool sampler, std::chrono::milliseconds interval, int calls) {
    wandb::OfflineRunOptions options;
    options.root = root;
    options.quiet = true;
    options.system_metrics = sampler;
    options.system_metrics_interval = interval;
    wandb::OfflineRun run(options);
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(calls));
    for (int i = 0; i < calls; ++i) {
        const auto start = std::chrono::steady_clock::now();
        run.log({{"loss", 1.0 / (i + 1)}, {"accuracy", i * 1e-5}});
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    }
    run.finish();
    return {percentile(us, 0.5), percentile(us, 0.99)};
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path root =
        argc > 1 ? argv[1] : std::filesystem::temp_directory_path() / ("bench-stats-" + std::to_string(::getpid()));
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
    constexpr int calls = 20000;
    struct Config {
        const char* name;
        bool sampler;
        std::chrono::milliseconds interval;
    };
    const Config configs[] = {{"sampler off", false, std::chrono::milliseconds(15000)},
                              {"sampler on, 15 s", true, std::chrono::milliseconds(15000)},
                              {"sampler on, 100 ms", true, std::chrono::milliseconds(100)}};
    std::vector<std::vector<Result>> results(3);
    std::vector<std::vector<double>> ratios(3);
    time_logs(root / "warmup", false, std::chrono::milliseconds(15000), calls);
    for (int r = 0; r < rounds; ++r) {
        for (std::size_t c = 0; c < 3; ++c)
            results[c].push_back(time_logs(root / (std::to_string(r) + "-" + std::to_string(c)), configs[c].sampler,
                                           configs[c].interval, calls));
        for (std::size_t c = 0; c < 3; ++c)
            ratios[c].push_back(results[c].back().median_us / results[0].back().median_us);
    }
    std::printf("%d rounds of %d scalar log calls per configuration (medians over the rounds)\n", rounds, calls);
    std::printf("%-20s %10s %10s %16s\n", "configuration", "median us", "p99 us", "ratio to off");
    for (std::size_t c = 0; c < 3; ++c) {
        std::vector<double> medians, p99s;
        for (const Result& x : results[c]) {
            medians.push_back(x.median_us);
            p99s.push_back(x.p99_us);
        }
        std::printf("%-20s %10.2f %10.2f %16.3f\n", configs[c].name, percentile(medians, 0.5), percentile(p99s, 0.5),
                    percentile(ratios[c], 0.5));
    }
    std::error_code ec;
    if (argc <= 1) std::filesystem::remove_all(root, ec);
    return 0;
}
