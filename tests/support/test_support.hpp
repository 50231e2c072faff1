// Helpers shared by the tests: unique temporary directories, file I/O, and PNG fixtures written
// with zlib directly (independent of the library's encoder), decoded with stb.
#pragma once

#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <wandb/detail/stb.hpp>

namespace wandb_test {

namespace fs = std::filesystem;

/// A fresh directory below $WANDB_TEST_TMPDIR (else the system's temporary directory), made by
/// mkdtemp, so no two tests share one even when run at the same time; removed with everything in
/// it when the object goes away.
class TempDir {
public:
    TempDir() {
        const char* root = std::getenv("WANDB_TEST_TMPDIR");
        const fs::path base = root && *root ? fs::path(root) : fs::temp_directory_path();
        fs::create_directories(base);
        std::string name = (base / "wandb-test-XXXXXX").string();
        if (::mkdtemp(name.data()) == nullptr)
            throw std::runtime_error("TempDir: mkdtemp below " + base.string() + " failed: " + std::strerror(errno));
        path_ = name;
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

inline std::vector<std::uint8_t> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

inline void write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

/// All regular files below `dir`, relative, '/'-separated, sorted.
inline std::vector<std::string> list_files(const fs::path& dir) {
    std::vector<std::string> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).generic_string());
    std::sort(out.begin(), out.end());
    return out;
}

/// A PNG file image from its parts, written from first principles: signature, IHDR with the
/// given fields, PLTE when `plte` is not empty, one IDAT holding `idat` as given, and IEND.
inline std::vector<std::uint8_t> png_from_idat(std::uint32_t width, std::uint32_t height, int bit_depth, int color_type,
                                               const std::vector<std::uint8_t>& idat,
                                               const std::vector<std::uint8_t>& plte = {}) {
    std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    auto be32 = [](std::vector<std::uint8_t>& v, std::uint32_t x) {
        for (int s = 24; s >= 0; s -= 8) v.push_back(std::uint8_t(x >> s));
    };
    auto chunk = [&](const char* type, const std::vector<std::uint8_t>& data) {
        be32(out, std::uint32_t(data.size()));
        std::vector<std::uint8_t> body(type, type + 4);
        body.insert(body.end(), data.begin(), data.end());
        out.insert(out.end(), body.begin(), body.end());
        be32(out, std::uint32_t(::crc32(0, body.data(), uInt(body.size()))));
    };
    std::vector<std::uint8_t> ihdr;
    be32(ihdr, width);
    be32(ihdr, height);
    ihdr.insert(ihdr.end(), {std::uint8_t(bit_depth), std::uint8_t(color_type), 0, 0, 0});
    chunk("IHDR", ihdr);
    if (!plte.empty()) chunk("PLTE", plte);
    chunk("IDAT", idat);
    chunk("IEND", {});
    return out;
}

/// A PNG file image written with zlib: `raw` holds the unfiltered rows (each row's bytes; filter
/// type 0 is prepended here). color_type/bit_depth as in IHDR.
inline std::vector<std::uint8_t> make_png(std::uint32_t width, std::uint32_t height, int bit_depth, int color_type,
                                          const std::vector<std::uint8_t>& raw, const std::vector<std::uint8_t>& plte = {}) {
    const std::size_t row_bytes = height ? raw.size() / height : 0;
    std::vector<std::uint8_t> filtered;
    for (std::uint32_t r = 0; r < height; ++r) {
        filtered.push_back(0);
        filtered.insert(filtered.end(), raw.begin() + std::ptrdiff_t(r * row_bytes), raw.begin() + std::ptrdiff_t((r + 1) * row_bytes));
    }
    uLongf size = compressBound(uLong(filtered.size()));
    std::vector<std::uint8_t> z(size);
    compress2(z.data(), &size, filtered.data(), uLong(filtered.size()), 6);
    z.resize(size);
    return png_from_idat(width, height, bit_depth, color_type, z, plte);
}

/// An 8-bit gray PNG of the given row-major values.
inline std::vector<std::uint8_t> make_gray_png(std::uint32_t width, std::uint32_t height, const std::vector<std::uint8_t>& values) {
    return make_png(width, height, 8, 0, values);
}

/// Pixels decoded by stb in the file's own channel count.
struct Decoded {
    int width = 0, height = 0, channels = 0;
    std::vector<std::uint8_t> pixels;
};

inline Decoded decode(const std::vector<std::uint8_t>& file) {
    Decoded d;
    unsigned char* p = stbi_load_from_memory(file.data(), int(file.size()), &d.width, &d.height, &d.channels, 0);
    if (!p) return d;
    d.pixels.assign(p, p + std::size_t(d.width) * std::size_t(d.height) * std::size_t(d.channels));
    stbi_image_free(p);
    return d;
}

/// IHDR bit depth and color type read straight from the bytes.
inline std::pair<int, int> png_depth_and_color(const std::vector<std::uint8_t>& file) {
    return {file.at(24), file.at(25)};
}

}  // namespace wandb_test
