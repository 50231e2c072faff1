// Times the library's whole mask/image path (encode PNG + SHA-256 + write file) on fixed inputs,
// which it also writes as .npy files so that bench/sdk_baseline.py times the SDK's path on the
// very same pixels. bench/compare runs both; see bench/README.md.
//
//   bench_encode run DIR [REPS]    write DIR/<workload>.npy, print "<workload> <median ms> <bytes>";
//                                  step16 is one OfflineRun::log call of 16 rgb512 images with two
//                                  seg512 masks each, with 1 encoding thread (step16) and 2 (step16x2)
//   bench_encode peak-memory DIR   encode one 8192x8192 mask, print the process's VmHWM
//   bench_encode sweep DIR [REPS]  encode time and size for every backend, filter and level
//   bench_encode choice DIR [REPS] what the automatic filter and level choice costs: encode_png's
//                                  default against Up + runs, on the image sizes of bench_run
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <wandb/detail/atomic_file.hpp>
#include <wandb/detail/deflate.hpp>
#include <wandb/detail/hash.hpp>
#include <wandb/wandb.hpp>

#include "bench_inputs.hpp"

namespace fs = std::filesystem;

namespace {

using bench::kClasses;
using bench::noise_mask;
using bench::photo_rgb;
using bench::voronoi_mask;
using bench::write_npy;
using Image = bench::Pixels;

/// The library's full path for one image: PNG bytes, their SHA-256 (W&B names files by it), the file.
std::size_t full_path(const Image& img, const fs::path& out, std::string& digest_hex) {
    const std::vector<std::uint8_t> png = wandb::encode_png(img.view());
    digest_hex = wandb::detail::Sha256::of(png.data(), png.size()).hex();
    wandb::detail::write_file_atomically(out, png.data(), png.size(), "bench_encode");  // as a run writes it
    return png.size();
}

/// Median wall time in milliseconds of `reps` calls fn(i), after two warm-up calls; `cleanup(i)`
/// runs after each call, untimed.
double median_ms(int reps, const std::function<void(int)>& fn, const std::function<void(int)>& cleanup = [](int) {}) {
    for (int i = -2; i < 0; ++i) fn(i), cleanup(i);
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) {
        const auto a = std::chrono::steady_clock::now();
        fn(i);
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
        cleanup(i);
    }
    std::sort(t.begin(), t.end());
    return t.size() % 2 ? t[t.size() / 2] : (t[t.size() / 2 - 1] + t[t.size() / 2]) / 2;
}

struct Workload {
    std::string name;
    Image image;
};

std::vector<Workload> workloads() {
    std::vector<Workload> w;
    w.push_back({"seg1024", voronoi_mask(1024, 1)});
    w.push_back({"noise1024", noise_mask(1024, 2)});
    w.push_back({"seg512", voronoi_mask(512, 3)});
    w.push_back({"rgb512", photo_rgb(512, 4)});
    w.push_back({"rgb1024", photo_rgb(1024, 5)});
    return w;
}

/// One log call of 16 rgb512 images, each with two seg512 masks, from raw arrays to files and
/// records: builds the wandb::Image/ImageMask objects (validation, one copy each) and logs them
/// as a list under one key, into a fresh offline run per repetition (created and finished
/// untimed). Prints "step16 <ms> <bytes>" for one encoding thread and "step16x2" for two; bytes
/// are the media files written. Writes step16_rgb.npy (16, 512, 512, 3) and step16_masks.npy
/// (16, 2, 512, 512) for bench/sdk_baseline.py.
void step16(const fs::path& dir, int reps) {
    constexpr std::size_t n = 16, side = 512;
    std::vector<Image> photos, masks;
    for (std::size_t i = 0; i < n; ++i) photos.push_back(photo_rgb(side, 100 + i));
    for (std::size_t i = 0; i < 2 * n; ++i) masks.push_back(voronoi_mask(side, 200 + i));
    std::vector<std::uint8_t> all;
    for (const auto& p : photos) all.insert(all.end(), p.pixels.begin(), p.pixels.end());
    write_npy(dir / "step16_rgb.npy", {n, side, side, 3}, all.data(), all.size());
    all.clear();
    for (const auto& m : masks) all.insert(all.end(), m.pixels.begin(), m.pixels.end());
    write_npy(dir / "step16_masks.npy", {n, 2, side, side}, all.data(), all.size());

    wandb::ClassLabels labels;
    for (int c = 0; c < kClasses; ++c) labels.emplace(c, "class_" + std::to_string(c));
    const std::array<std::size_t, 3> rgb_shape = {side, side, 3};
    const std::array<std::size_t, 2> mask_shape = {side, side};
    for (std::size_t threads : {std::size_t(1), std::size_t(2)}) {
        std::vector<double> times;
        std::uintmax_t bytes = 0;
        for (int rep = -2; rep < reps; ++rep) {
            wandb::OfflineRunOptions options;
            options.root = dir / "ours" / ("step16_" + std::to_string(threads) + "_" + std::to_string(rep + 2));
            options.media_threads = threads;
            options.quiet = true;
            wandb::OfflineRun run(options);
            const auto start = std::chrono::steady_clock::now();
            std::vector<wandb::Image> images;
            for (std::size_t i = 0; i < n; ++i)
                images.push_back(
                    wandb::Image(xt::adapt(photos[i].pixels.data(), photos[i].pixels.size(), xt::no_ownership(), rgb_shape))
                        .with_mask("predictions", wandb::ImageMask(xt::adapt(masks[2 * i].pixels.data(), side * side,
                                                                             xt::no_ownership(), mask_shape), labels))
                        .with_mask("ground_truth", wandb::ImageMask(xt::adapt(masks[2 * i + 1].pixels.data(), side * side,
                                                                              xt::no_ownership(), mask_shape), labels)));
            run.log({{"examples", images}});
            const auto stop = std::chrono::steady_clock::now();
            if (rep >= 0) times.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
            run.finish();
            bytes = 0;
            for (const auto& e : fs::recursive_directory_iterator(run.files_dir() / "media"))
                if (e.is_regular_file()) bytes += e.file_size();
            fs::remove_all(options.root);
        }
        std::sort(times.begin(), times.end());
        const double median = times.size() % 2 ? times[times.size() / 2]
                                               : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
        std::printf("%s %.3f %ju\n", threads == 1 ? "step16" : "step16x2", median, bytes);
    }
}

int run(const fs::path& dir, int reps) {
    fs::create_directories(dir / "ours");
    for (const auto& w : workloads()) {
        write_npy(dir / (w.name + ".npy"), w.image);
        std::string digest;
        std::size_t size = 0;
        // A new file each time, as a run writes one per logged image; removed untimed, as
        // bench/sdk_baseline.py does with the SDK's files.
        auto out = [&](int i) { return dir / "ours" / (w.name + "_" + std::to_string(i + 2) + ".png"); };
        const double ms = median_ms(
            reps, [&](int i) { size = full_path(w.image, out(i), digest); }, [&](int i) { fs::remove(out(i)); });
        std::printf("%s %.3f %zu\n", w.name.c_str(), ms, size);
    }
    step16(dir, std::max(5, reps / 3));
    return 0;
}

/// The process's peak resident set (VmHWM) in KiB.
long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

int peak_memory(const fs::path& dir) {
    fs::create_directories(dir / "ours");
    // 8192x8192 labels: seg1024 scaled up 8x (nearest neighbour), built row by row so the only
    // large buffer besides the encoder's is the 64 MiB of labels themselves.
    const Image small = voronoi_mask(1024, 1);
    Image big{8192, 8192, 1, std::vector<std::uint8_t>(std::size_t(8192) * 8192)};
    for (std::size_t y = 0; y < 8192; ++y)
        for (std::size_t x = 0; x < 8192; ++x) big.pixels[y * 8192 + x] = small.pixels[(y / 8) * 1024 + x / 8];
    const long before = peak_rss_kib();
    std::string digest;
    const std::size_t size = full_path(big, dir / "ours" / "mask8192.png", digest);
    const double labels_mib = double(big.pixels.size()) / (1024.0 * 1024.0);
    const double peak_mib = double(peak_rss_kib()) / 1024.0;
    std::printf("mask8192 peak_mib %.1f labels_mib %.1f before_encode_mib %.1f png_bytes %zu ratio %.2f\n",
                peak_mib, labels_mib, double(before) / 1024.0, size, peak_mib / labels_mib);
    return 0;
}

int sweep(const fs::path& dir, int reps) {
    (void)dir;
    using wandb::PngFilter;
    const std::pair<PngFilter, const char*> filters[] = {
        {PngFilter::none, "none"}, {PngFilter::sub, "sub"},     {PngFilter::up, "up"},
        {PngFilter::average, "avg"}, {PngFilter::paeth, "paeth"}, {PngFilter::adaptive, "adaptive"}};
    std::vector<std::pair<wandb::detail::ZlibBackend, const char*>> backends;
    if (wandb::detail::have_libdeflate) backends.push_back({wandb::detail::ZlibBackend::libdeflate, "libdeflate"});
    backends.push_back({wandb::detail::ZlibBackend::runs, "runs"});
    std::printf("%-10s %-10s %-8s %5s %9s %9s\n", "workload", "backend", "filter", "level", "ms", "bytes");
    for (const auto& w : workloads())
        for (const auto& [backend, bname] : backends)
            for (const auto& [filter, fname] : filters)
                for (int level : {1, 2, 3, 4, 6, 9}) {
                    if (backend == wandb::detail::ZlibBackend::runs && level != 1) continue;  // one strategy
                    std::size_t size = 0;
                    const PngFilter f = filter;  // clang 14 cannot capture structured bindings
                    const wandb::detail::ZlibBackend b = backend;
                    const double ms = median_ms(reps, [&](int) {
                        size = wandb::detail::encode_png_with(w.image.view(), {level, f}, b).size();
                    });
                    std::printf("%-10s %-10s %-8s %5d %9.3f %9zu\n", w.name.c_str(), bname, fname, level, ms, size);
                }
    return 0;
}

/// The automatic choice's cost on the image sizes bench_run logs: per set of images, the median
/// time of encoding them all with encode_png's defaults and with the filter and level forced to
/// Up + runs, and the bytes of each (equal bytes: the choice picked Up + runs everywhere).
int choice(const fs::path& dir, int reps) {
    (void)dir;
    struct Set {
        std::string name;
        std::vector<Image> images;
    };
    std::vector<Set> sets(4);
    sets[0].name = "rgb256 x32";
    sets[1].name = "mask256 x64";
    sets[2].name = "rgb512 x8";
    sets[3].name = "mask512 x16";
    for (std::uint64_t i = 0; i < 32; ++i) sets[0].images.push_back(photo_rgb(256, 3000 + i));
    for (std::uint64_t i = 0; i < 64; ++i) sets[1].images.push_back(voronoi_mask(256, 4000 + i));
    for (std::uint64_t i = 0; i < 8; ++i) sets[2].images.push_back(photo_rgb(512, 1000 + i));
    for (std::uint64_t i = 0; i < 16; ++i) sets[3].images.push_back(voronoi_mask(512, 2000 + i));
    std::printf("%-12s %12s %12s %8s %10s %10s\n", "set", "default ms", "up+runs ms", "extra x", "default B", "up+runs B");
    for (const Set& set : sets) {
        std::size_t bytes[2] = {0, 0};
        std::vector<double> times[2];
        wandb::PngOptions options[2];
        options[1].filter = wandb::PngFilter::up;
        options[1].compression_level = 1;
        // The two ways alternate, so that a change of the machine's load falls on both.
        for (int rep = -2; rep < reps; ++rep)
            for (int forced = 0; forced < 2; ++forced) {
                const auto start = std::chrono::steady_clock::now();
                bytes[forced] = 0;
                for (const Image& image : set.images) bytes[forced] += wandb::encode_png(image.view(), options[forced]).size();
                const auto stop = std::chrono::steady_clock::now();
                if (rep >= 0) times[forced].push_back(std::chrono::duration<double, std::milli>(stop - start).count());
            }
        const double ms[2] = {bench::median(times[0]), bench::median(times[1])};
        std::printf("%-12s %12.3f %12.3f %8.2f %10zu %10zu\n", set.name.c_str(), ms[0], ms[1], ms[0] / ms[1] - 1.0,
                    bytes[0], bytes[1]);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string usage = "usage: bench_encode run DIR [REPS] | peak-memory DIR | sweep DIR [REPS] | choice DIR [REPS]\n";
    if (argc < 3) {
        std::cerr << usage;
        return 2;
    }
    const std::string mode = argv[1];
    const fs::path dir = argv[2];
    const int reps = argc > 3 ? std::atoi(argv[3]) : 31;
    try {
        if (mode == "run") return run(dir, reps);
        if (mode == "peak-memory") return peak_memory(dir);
        if (mode == "sweep") return sweep(dir, reps);
        if (mode == "choice") return choice(dir, reps);
    } catch (const std::exception& e) {
        std::cerr << "bench_encode: " << e.what() << '\n';
        return 1;
    }
    std::cerr << usage;
    return 2;
}
