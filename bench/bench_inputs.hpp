// The benchmarks' inputs: fixed-seed images and masks (the same bytes on every machine), their
// .npy files (so the Python side times the SDK on the very same pixels), and small timing helpers.
// Shared by bench_encode.cpp and bench_run.cpp; not part of the library.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <wandb/wandb.hpp>

namespace bench {

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

/// An owned 8-bit image, rows packed.
struct Pixels {
    std::size_t height, width, channels;
    std::vector<std::uint8_t> pixels;
    wandb::PixelView view() const { return {pixels.data(), width, height, channels, width * channels}; }
};

/// Classes of the masks, named "class_<id>" in the runs.
constexpr int kClasses = 21;

/// A segmentation-like mask: Voronoi regions around 64 seeded points, each region one of 21 classes.
inline Pixels voronoi_mask(std::size_t side, std::uint64_t seed) {
    Rng rng{seed};
    struct Site {
        double x, y;
        std::uint8_t label;
    };
    std::vector<Site> sites(64);
    for (auto& s : sites) {
        s.x = rng.uniform() * double(side);
        s.y = rng.uniform() * double(side);
        s.label = std::uint8_t(rng.below(kClasses));
    }
    Pixels m{side, side, 1, std::vector<std::uint8_t>(side * side)};
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
inline Pixels noise_mask(std::size_t side, std::uint64_t seed) {
    Rng rng{seed};
    Pixels m{side, side, 1, std::vector<std::uint8_t>(side * side)};
    for (auto& v : m.pixels) v = std::uint8_t(rng.below(kClasses));
    return m;
}

/// A photo-like RGB image: smooth gradients plus Gaussian noise of sigma 6 in every channel.
inline Pixels photo_rgb(std::size_t side, std::uint64_t seed) {
    Rng rng{seed};
    Pixels img{side, side, 3, std::vector<std::uint8_t>(side * side * 3)};
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

/// Writes uint8 data of the given shape as NumPy's .npy format version 1.0.
inline void write_npy(const std::filesystem::path& path, const std::vector<std::size_t>& dims,
                      const std::uint8_t* data, std::size_t size) {
    std::string shape = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) shape += (i ? ", " : "") + std::to_string(dims[i]);
    shape += dims.size() == 1 ? ",)" : ")";
    std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const char len[2] = {char(header.size() & 0xFF), char(header.size() >> 8)};
    f.write(len, 2);
    f << header;
    f.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    if (!f) throw std::runtime_error("cannot write " + path.string());
}

/// Writes one image as .npy: (H, W) for one channel, else (H, W, C).
inline void write_npy(const std::filesystem::path& path, const Pixels& img) {
    std::vector<std::size_t> dims = {img.height, img.width};
    if (img.channels != 1) dims.push_back(img.channels);
    write_npy(path, dims, img.pixels.data(), img.pixels.size());
}

/// Writes equally shaped images as one .npy array of shape (count, H, W[, C]).
inline void write_npy_stack(const std::filesystem::path& path, const std::vector<Pixels>& images) {
    std::vector<std::size_t> dims = {images.size(), images.at(0).height, images.at(0).width};
    if (images[0].channels != 1) dims.push_back(images[0].channels);
    std::vector<std::uint8_t> all;
    for (const auto& p : images) all.insert(all.end(), p.pixels.begin(), p.pixels.end());
    write_npy(path, dims, all.data(), all.size());
}

/// A uint8 .npy file read back: its shape and its bytes (C order).
struct NpyArray {
    std::vector<std::size_t> shape;
    std::vector<std::uint8_t> data;
};

/// Reads a C-ordered uint8 .npy file as write_npy writes them (version 1.0).
/// \throws std::runtime_error  for a missing file or any other dtype, order or version.
inline NpyArray read_npy(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    char magic[10];
    if (!f.read(magic, 10) || std::string(magic, 6) != "\x93NUMPY" || magic[6] != 1)
        throw std::runtime_error(path.string() + ": not a version 1 .npy file");
    std::string header(std::size_t(std::uint8_t(magic[8])) | (std::size_t(std::uint8_t(magic[9])) << 8), '\0');
    f.read(header.data(), std::streamsize(header.size()));
    if (header.find("'descr': '|u1'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos)
        throw std::runtime_error(path.string() + ": expected C-ordered uint8 data, header " + header);
    NpyArray a;
    const std::size_t open = header.find('(', header.find("'shape'")), close = header.find(')', open);
    std::size_t count = 1;
    for (std::size_t i = open + 1; i < close;) {
        char* end = nullptr;
        const unsigned long long n = std::strtoull(header.c_str() + i, &end, 10);
        const std::size_t used = std::size_t(end - (header.c_str() + i));
        if (used == 0) break;
        a.shape.push_back(std::size_t(n));
        count *= std::size_t(n);
        i += used;
        while (i < close && (header[i] == ',' || header[i] == ' ')) ++i;
    }
    a.data.resize(count);
    if (!f.read(reinterpret_cast<char*>(a.data.data()), std::streamsize(count)))
        throw std::runtime_error(path.string() + ": truncated data");
    return a;
}

/// Median of a non-empty sample (mean of the middle two for an even count).
inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace bench
