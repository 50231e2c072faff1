// Times whole offline runs through the public API (OfflineRun, Image, ImageMask, Table) on the
// workloads of issue 18, one repetition per process, so that peak memory and CPU time are the
// workload's own. bench/sdk_run.py runs the same workloads through the real W&B Python SDK on the
// same .npy pixels; `bench/compare --sdk` runs both and prints the ratios (see bench/README.md).
//
//   bench_run inputs DIR                 write the inputs as DIR/*.npy (fixed seeds)
//   bench_run WORKLOAD DIR THREADS [N]   one repetition: a fresh run below DIR, THREADS media threads;
//                                        prints one line of "field value" pairs (see print_result);
//                                        N replaces the number of steps (calls, or rows for table),
//                                        for profiling
//
// Workloads (the same on the SDK side):
//   scalars   20,000 log({"loss", "accuracy"}) calls
//   image     100 steps of one 512x512 RGB image with two 512x512 masks ("predictions", "ground_truth")
//   images16  10 steps of 16 such images in one log call
//   table     one Table of 200 rows (id, 256x256 RGB image with two masks), logged once
// A timed call is building the media objects (Image, ImageMask, Table rows) plus `log`.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <wandb/wandb.hpp>

#include "bench_inputs.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kScalarSteps = 20000;
constexpr std::size_t kImageSteps = 100;
constexpr std::size_t kImages16Steps = 10;
constexpr std::size_t kStepSets = 16;  // distinct image+masks sets at 512x512; step s uses set s % 16
constexpr std::size_t kStepSide = 512;
constexpr std::size_t kTableRows = 200;
constexpr std::size_t kTableSide = 256;

int make_inputs(const fs::path& dir) {
    fs::create_directories(dir);
    std::vector<bench::Pixels> rgb, masks;
    for (std::size_t i = 0; i < kStepSets; ++i) {
        rgb.push_back(bench::photo_rgb(kStepSide, 1000 + i));
        masks.push_back(bench::voronoi_mask(kStepSide, 2000 + 2 * i));
        masks.push_back(bench::voronoi_mask(kStepSide, 2001 + 2 * i));
    }
    bench::write_npy_stack(dir / "step_rgb.npy", rgb);
    bench::write_npy_stack(dir / "step_masks.npy", masks);  // (32, 512, 512): set i has masks 2i and 2i+1
    rgb.clear();
    masks.clear();
    for (std::size_t i = 0; i < kTableRows; ++i) {
        rgb.push_back(bench::photo_rgb(kTableSide, 3000 + i));
        masks.push_back(bench::voronoi_mask(kTableSide, 4000 + 2 * i));
        masks.push_back(bench::voronoi_mask(kTableSide, 4001 + 2 * i));
    }
    bench::write_npy_stack(dir / "table_rgb.npy", rgb);
    bench::write_npy_stack(dir / "table_masks.npy", masks);
    return 0;
}

/// A field of /proc/self/status in KiB (VmRSS, VmHWM).
long status_kib(const char* field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(field) + ":";
    while (std::getline(status, line))
        if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
    return -1;
}

/// User plus system CPU time of this process (all threads) in milliseconds.
double cpu_ms() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return (double(u.ru_utime.tv_sec) + double(u.ru_stime.tv_sec)) * 1e3 +
           (double(u.ru_utime.tv_usec) + double(u.ru_stime.tv_usec)) * 1e-3;
}

double us_since(Clock::time_point start) { return std::chrono::duration<double, std::micro>(Clock::now() - start).count(); }

/// The images and masks of one workload, as the user's own buffers.
struct Inputs {
    bench::NpyArray rgb, masks;
    std::size_t side = 0;
    std::size_t bytes() const { return rgb.data.size() + masks.data.size(); }
    /// Image i with its two masks, built as a user builds one from raw buffers (one copy each).
    wandb::Image masked_image(std::size_t i, const wandb::ClassLabels& labels) const {
        const std::size_t plane = side * side;
        const std::array<std::size_t, 3> rgb_shape = {side, side, 3};
        const std::array<std::size_t, 2> mask_shape = {side, side};
        const std::uint8_t* m = masks.data.data() + 2 * i * plane;
        return wandb::Image(xt::adapt(rgb.data.data() + 3 * i * plane, 3 * plane, xt::no_ownership(), rgb_shape))
            .with_mask("predictions", wandb::ImageMask(xt::adapt(m, plane, xt::no_ownership(), mask_shape), labels))
            .with_mask("ground_truth",
                       wandb::ImageMask(xt::adapt(m + plane, plane, xt::no_ownership(), mask_shape), labels));
    }
};

struct Result {
    std::vector<double> call_us, build_us, log_us;  // per timed call: build + log, build, log
    double init_ms = 0, finish_ms = 0, run_ms = 0, cpu_ms = 0;
    double base_mib = 0, peak_mib = 0, input_mib = 0;
};

/// True for a file that starts with the PNG signature (staged artifact copies have no extension).
bool is_png(const fs::path& path) {
    char head[8] = {};
    std::ifstream f(path, std::ios::binary);
    return f.read(head, 8) && std::string(head, 8) == "\x89PNG\r\n\x1a\n";
}

/// Prints the result with the files of the run directory: how many, the bytes of the PNGs among
/// them (images and masks, wherever they are staged) and of the .wandb log.
void print_result(const std::string& workload, std::size_t threads, const Result& r, const fs::path& run_dir) {
    std::uintmax_t files = 0, png_bytes = 0, log_bytes = 0;
    for (const auto& e : fs::recursive_directory_iterator(run_dir)) {
        if (!e.is_regular_file()) continue;
        ++files;
        if (is_png(e.path())) png_bytes += e.file_size();
        if (e.path().extension() == ".wandb") log_bytes += e.file_size();
    }
    std::printf("workload %s threads %zu calls %zu call_us %.3f build_us %.3f log_us %.3f init_ms %.3f "
                "finish_ms %.3f run_ms %.3f cpu_ms %.3f base_mib %.2f peak_mib %.2f input_mib %.2f "
                "encoded_mib %.3f files %ju log_bytes %ju\n",
                workload.c_str(), threads, r.call_us.size(), bench::median(r.call_us), bench::median(r.build_us),
                bench::median(r.log_us), r.init_ms, r.finish_ms, r.run_ms, r.cpu_ms, r.base_mib, r.peak_mib,
                r.input_mib, double(png_bytes) / (1024.0 * 1024.0), files, log_bytes);
}

int run_workload(const std::string& workload, const fs::path& dir, std::size_t threads, std::size_t steps) {
    if (workload != "scalars" && workload != "image" && workload != "images16" && workload != "table")
        throw std::runtime_error("unknown workload " + workload);
    Result r;
    r.base_mib = double(status_kib("VmRSS")) / 1024.0;  // before the inputs are loaded
    Inputs in;
    if (workload == "image" || workload == "images16") {
        in.rgb = bench::read_npy(dir / "step_rgb.npy");
        in.masks = bench::read_npy(dir / "step_masks.npy");
        in.side = kStepSide;
    } else if (workload == "table") {
        in.rgb = bench::read_npy(dir / "table_rgb.npy");
        in.masks = bench::read_npy(dir / "table_masks.npy");
        in.side = kTableSide;
    }
    r.input_mib = double(in.bytes()) / (1024.0 * 1024.0);
    wandb::ClassLabels labels;
    for (int c = 0; c < bench::kClasses; ++c) labels.emplace(c, "class_" + std::to_string(c));

    wandb::OfflineRunOptions options;
    options.root = dir / ("ours-" + workload + "-" + std::to_string(threads) + "-" + std::to_string(::getpid()));
    options.media_threads = threads;
    options.quiet = true;
    options.project = "bench";

    const double cpu_start = cpu_ms();
    const auto start = Clock::now();
    wandb::OfflineRun run(options);
    r.init_ms = us_since(start) / 1e3;
    if (workload == "scalars") {
        const std::size_t n = steps ? steps : kScalarSteps;
        r.call_us.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double loss = 1.0 / (1.0 + double(i) * 1e-3), accuracy = double(i) / double(kScalarSteps);
            const auto a = Clock::now();
            run.log({{"loss", loss}, {"accuracy", accuracy}});
            r.call_us.push_back(us_since(a));
        }
    } else if (workload == "image" || workload == "images16") {
        const std::size_t n = steps ? steps : workload == "image" ? kImageSteps : kImages16Steps;
        for (std::size_t s = 0; s < n; ++s) {
            const auto a = Clock::now();
            wandb::Row row;
            if (workload == "image") {
                row.emplace_back("examples", in.masked_image(s % kStepSets, labels));
            } else {
                std::vector<wandb::Image> images;
                for (std::size_t i = 0; i < kStepSets; ++i) images.push_back(in.masked_image(i, labels));
                row.emplace_back("examples", std::move(images));
            }
            const double built = us_since(a);
            const auto b = Clock::now();
            run.log(row);
            r.log_us.push_back(us_since(b));
            r.build_us.push_back(built);
            r.call_us.push_back(us_since(a));
        }
    } else {  // table
        const auto a = Clock::now();
        wandb::Table table({"id", "image"});
        const std::size_t rows = steps ? steps : kTableRows;  // rows past 200 repeat the images
        for (std::size_t i = 0; i < rows; ++i)
            table.add_data({static_cast<std::int64_t>(i), in.masked_image(i % kTableRows, labels)});
        wandb::Row row;
        row.emplace_back("table", std::move(table));
        const double built = us_since(a);
        const auto b = Clock::now();
        run.log(row);
        r.log_us.push_back(us_since(b));
        r.build_us.push_back(built);
        r.call_us.push_back(us_since(a));
    }
    const auto f = Clock::now();
    run.finish();
    r.finish_ms = us_since(f) / 1e3;
    r.run_ms = us_since(start) / 1e3;
    r.cpu_ms = cpu_ms() - cpu_start;
    r.peak_mib = double(status_kib("VmHWM")) / 1024.0;
    print_result(workload, threads, r, run.dir());
    if (!std::getenv("BENCH_RUN_KEEP")) fs::remove_all(options.root);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string usage = "usage: bench_run inputs DIR | bench_run scalars|image|images16|table DIR THREADS [N]\n";
    try {
        if (argc == 3 && std::string(argv[1]) == "inputs") return make_inputs(argv[2]);
        if (argc == 4 || argc == 5)
            return run_workload(argv[1], argv[2], std::size_t(std::atoi(argv[3])),
                                argc == 5 ? std::size_t(std::atoll(argv[4])) : 0);
    } catch (const std::exception& e) {
        std::cerr << "bench_run: " << e.what() << '\n';
        return 1;
    }
    std::cerr << usage;
    return 2;
}
