// Writes PNG files for tests/png_decode_pil.py: one per pattern, channel count, size, filter and
// deflate backend, named <pattern>_<channels>_<width>_<height>_<filter>_<backend><level>.png. The
// pixels follow the formulas in tests/test_png.cpp's pixel_value, which the script repeats.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <wandb/detail/deflate.hpp>
#include <wandb/png.hpp>

namespace {
std::uint8_t pixel_value(char pattern, std::size_t x, std::size_t y, std::size_t c) {
    if (pattern == 'm') return std::uint8_t((x / 5 + 3 * (y / 4) + c) % 7);
    return std::uint8_t((x * 37 + y * 101 + c * 59 + ((x ^ y) & 7) * 13 + (x * y) % 11) % 256);
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: png_write_fixtures DIR\n");
        return 2;
    }
    using wandb::PngFilter;
    using wandb::detail::ZlibBackend;
    const std::pair<PngFilter, const char*> filters[] = {
        {PngFilter::automatic, "automatic"}, {PngFilter::none, "none"},   {PngFilter::sub, "sub"},
        {PngFilter::up, "up"},               {PngFilter::average, "average"}, {PngFilter::paeth, "paeth"},
        {PngFilter::adaptive, "adaptive"}};
    std::vector<std::pair<ZlibBackend, int>> backends = {
        {ZlibBackend::best, wandb::automatic_compression}, {ZlibBackend::runs, 1}, {ZlibBackend::runs, 0}};
    if (wandb::detail::have_libdeflate) backends.push_back({ZlibBackend::libdeflate, 6});
    const std::pair<std::size_t, std::size_t> sizes[] = {{1, 1}, {5, 3}, {17, 7}, {300, 200}};
    int written = 0;
    for (char pattern : {'g', 'm'})
        for (std::size_t ch : {1u, 3u, 4u})
            for (const auto& [w, h] : sizes)
                for (const auto& [filter, fname] : filters)
                    for (const auto& [backend, level] : backends) {
                        std::vector<std::uint8_t> px(w * h * ch);
                        for (std::size_t y = 0; y < h; ++y)
                            for (std::size_t x = 0; x < w; ++x)
                                for (std::size_t c = 0; c < ch; ++c) px[(y * w + x) * ch + c] = pixel_value(pattern, x, y, c);
                        const auto png = wandb::detail::encode_png_with({px.data(), w, h, ch, w * ch}, {level, filter}, backend);
                        const std::string name = std::string(argv[1]) + "/" + pattern + "_" + std::to_string(ch) + "_" +
                                                 std::to_string(w) + "_" + std::to_string(h) + "_" + fname + "_" +
                                                 (backend == ZlibBackend::runs         ? "runs"
                                                  : backend == ZlibBackend::libdeflate ? "libdeflate"
                                                                                       : "auto") +
                                                 std::to_string(level) + ".png";
                        std::FILE* f = std::fopen(name.c_str(), "wb");
                        if (f == nullptr || std::fwrite(png.data(), 1, png.size(), f) != png.size() || std::fclose(f) != 0) {
                            std::fprintf(stderr, "png_write_fixtures: cannot write %s\n", name.c_str());
                            return 1;
                        }
                        ++written;
                    }
    std::printf("%d files\n", written);
    return 0;
}
