// Times the library's whole mask/image path (encode PNG + SHA-256 + write file) on fixed inputs,
// which it also writes as .npy files so that bench/sdk_baseline.py times the SDK's path on the
// very same pixels. bench/compare runs both; see bench/README.md.
//
//   bench_encode run DIR [REPS]    write DIR/<workload>.npy, print "<workload> <median ms> <bytes>"
//   bench_encode peak-memory DIR   encode one 8192x8192 mask, print the process's VmHWM
//   bench_encode sweep DIR [REPS]  encode time and size for every backend, filter and level
#include <algorithm>
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

#include <wandb/detail/hash.hpp>
#include <wandb/png.hpp>

namespace fs = std::filesystem;

namespace {

/// splitmix64: a fixed, portable sequence (std:: distributions differ between standard libraries).
struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::uint32_t below(std::uint32_t n) { return std::uint32_t(next() % n); }
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
    double gaussian() {  // Box-Muller
        const double u = 1.0 - uniform(), v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
    }
};

/// An owned 8-bit image.
struct Image {
    std::size_t height, width, channels;
    std::vector<std::uint8_t> pixels;
    wandb::PixelView view() const { return {pixels.data(), width, height, channels, width * channels}; }
};

constexpr int kClasses = 21;

/// A segmentation-like mask: Voronoi regions around 64 seeded points, each region one of 21 classes.
Image voronoi_mask(std::size_t side, std::uint64_t seed) {
    Rng rng{seed};
    struct Site { double x, y; std::uint8_t label; };
    std::vector<Site> sites(64);
    for (auto& s : sites) {
        s.x = rng.uniform() * double(side);
        s.y = rng.uniform() * double(side);
        s.label = std::uint8_t(rng.below(kClasses));
    }
    Image m{side, side, 1, std::vector<std::uint8_t>(side * side)};
    for (std::size_t y = 0; y < side; ++y)
        for (std::size_t x = 0; x < side; ++x) {
            double best = 1e300;
            std::uint8_t label = 0;
            for (const auto& s : sites) {
                const double dx = double(x) - s.x, dy = double(y) - s.y, d = dx * dx + dy * dy;
                if (d < best) best = d, label = s.label;
            }
            m.pixels[y * side + x] = label;
        }
    return m;
}

/// Uniform random labels 0..20: the worst case for a mask.
Image noise_mask(std::size_t side, std::uint64_t seed) {
    Rng rng{seed};
    Image m{side, side, 1, std::vector<std::uint8_t>(side * side)};
    for (auto& v : m.pixels) v = std::uint8_t(rng.below(kClasses));
    return m;
}

/// A photo-like RGB image: smooth gradients plus Gaussian noise of sigma 6 in every channel.
Image photo_rgb(std::size_t side, std::uint64_t seed) {
    Rng rng{seed};
    Image img{side, side, 3, std::vector<std::uint8_t>(side * side * 3)};
    const double s = double(side), tau = 6.283185307179586;
    for (std::size_t y = 0; y < side; ++y)
        for (std::size_t x = 0; x < side; ++x) {
            const double fx = double(x) / s, fy = double(y) / s;
            const double base[3] = {128 + 90 * std::sin(tau * 1.3 * fx + 0.7) * std::cos(tau * 0.8 * fy),
                                    40 + 180 * (fx + fy) / 2,
                                    200 - 150 * fy + 30 * std::sin(tau * (fx - fy) / 0.37)};
            for (int c = 0; c < 3; ++c) {
                const double v = std::round(base[c] + 6.0 * rng.gaussian());
                img.pixels[(y * side + x) * 3 + std::size_t(c)] = std::uint8_t(std::clamp(v, 0.0, 255.0));
            }
        }
    return img;
}

/// Writes a uint8 array as NumPy's .npy format version 1.0.
void write_npy(const fs::path& path, const Image& img) {
    std::string shape = "(" + std::to_string(img.height) + ", " + std::to_string(img.width) +
                        (img.channels == 1 ? ")" : ", " + std::to_string(img.channels) + ")");
    std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const char len[2] = {char(header.size() & 0xFF), char(header.size() >> 8)};
    f.write(len, 2);
    f << header;
    f.write(reinterpret_cast<const char*>(img.pixels.data()), std::streamsize(img.pixels.size()));
    if (!f) throw std::runtime_error("cannot write " + path.string());
}

/// Writes bytes to `path` through a temporary name and a rename, as the library's run writer will.
void write_file_atomically(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
    const fs::path tmp = path.string() + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0)
        throw std::runtime_error("cannot write " + tmp.string());
    fs::rename(tmp, path);
}

/// The library's full path for one image: PNG bytes, their SHA-256 (W&B names files by it), the file.
std::size_t full_path(const Image& img, const fs::path& out, std::string& digest_hex) {
    const std::vector<std::uint8_t> png = wandb::encode_png(img.view());
    digest_hex = wandb::detail::Sha256::of(png.data(), png.size()).hex();
    write_file_atomically(out, png);
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
    // TODO(lead): workload step16 -- one `log` call of 16 rgb512 images each with 2 seg512 masks,
    // through the run API (offline_run.hpp) once it lands. Print "step16 <median ms> <bytes>" here
    // and add the matching SDK timing to bench/sdk_baseline.py; bench/compare picks it up by name.
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
                    const double ms = median_ms(reps, [&](int) {
                        size = wandb::detail::encode_png_with(w.image.view(), {level, filter}, backend).size();
                    });
                    std::printf("%-10s %-10s %-8s %5d %9.3f %9zu\n", w.name.c_str(), bname, fname, level, ms, size);
                }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string usage = "usage: bench_encode run DIR [REPS] | peak-memory DIR | sweep DIR [REPS]\n";
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
    } catch (const std::exception& e) {
        std::cerr << "bench_encode: " << e.what() << '\n';
        return 1;
    }
    std::cerr << usage;
    return 2;
}
