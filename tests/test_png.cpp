// Tests for png.hpp and its mechanisms (detail/png_encoder.hpp, detail/deflate.hpp). Every PNG is
// decoded by two independent decoders (stb_image and libpng) and compared pixel for pixel with
// the input; the file structure is checked with zlib's CRC-32 and inflate, not the encoder's own.
#include <catch2/catch.hpp>

#include <png.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <typeinfo>
#include <vector>

#include <wandb/detail/crc32.hpp>
#include <wandb/detail/deflate.hpp>
#include <wandb/detail/stb.hpp>
#include <wandb/png.hpp>

namespace wandb_test {
std::vector<std::uint8_t> second_tu_encode_png(const wandb::PixelView& pixels, int level);
}

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_png {

using wandb::PixelView;
using wandb::PngFilter;
using wandb::PngOptions;
using wandb::detail::ZlibBackend;

namespace {

/// Deterministic test pixels with both runs and variety: 'g' a busy gradient, 'm' a mask-like
/// pattern of rectangles of a few values. The same formulas are in tests/png_decode_pil.py.
std::uint8_t pixel_value(char pattern, std::size_t x, std::size_t y, std::size_t c) {
    if (pattern == 'm') return std::uint8_t((x / 5 + 3 * (y / 4) + c) % 7);
    return std::uint8_t((x * 37 + y * 101 + c * 59 + ((x ^ y) & 7) * 13 + (x * y) % 11) % 256);
}

/// An image whose rows are `stride` bytes apart; padding bytes are 0xAB so that reading them shows.
struct TestImage {
    std::size_t width, height, channels, stride;
    std::vector<std::uint8_t> bytes;
    PixelView view() const { return {bytes.data(), width, height, channels, stride}; }
    /// The pixels without row padding, as a decoder returns them.
    std::vector<std::uint8_t> tight() const {
        std::vector<std::uint8_t> t;
        for (std::size_t y = 0; y < height; ++y)
            t.insert(t.end(), bytes.begin() + std::ptrdiff_t(y * stride),
                     bytes.begin() + std::ptrdiff_t(y * stride + width * channels));
        return t;
    }
};

TestImage make_image(char pattern, std::size_t w, std::size_t h, std::size_t ch, std::size_t padding = 0) {
    TestImage img{w, h, ch, w * ch + padding, {}};
    img.bytes.assign(img.stride * h, 0xAB);
    for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < w; ++x)
            for (std::size_t c = 0; c < ch; ++c) img.bytes[y * img.stride + x * ch + c] = pixel_value(pattern, x, y, c);
    return img;
}

TestImage make_constant(std::size_t w, std::size_t h, std::size_t ch, std::uint8_t value) {
    return {w, h, ch, w * ch, std::vector<std::uint8_t>(w * h * ch, value)};
}

/// Pixels as stb_image decodes them, asking for the file's own channel count; empty on failure.
std::vector<std::uint8_t> decode_with_stb(const std::vector<std::uint8_t>& png, std::size_t& w, std::size_t& h,
                                          std::size_t& ch) {
    int x = 0, y = 0, n = 0;
    stbi_uc* p = stbi_load_from_memory(png.data(), int(png.size()), &x, &y, &n, 0);
    if (p == nullptr) return {};
    w = std::size_t(x), h = std::size_t(y), ch = std::size_t(n);
    std::vector<std::uint8_t> out(p, p + w * h * ch);
    stbi_image_free(p);
    return out;
}

/// Pixels as libpng decodes them (simplified API), in the file's own format; empty on failure.
std::vector<std::uint8_t> decode_with_libpng(const std::vector<std::uint8_t>& png, std::size_t& w, std::size_t& h,
                                             std::size_t& ch) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) return {};
    // The file's format as libpng read it from IHDR: gray, RGB or RGBA, never colour-mapped.
    if (image.format != PNG_FORMAT_GRAY && image.format != PNG_FORMAT_RGB && image.format != PNG_FORMAT_RGBA) {
        png_image_free(&image);
        return {};
    }
    std::vector<std::uint8_t> out(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, out.data(), 0, nullptr)) return {};
    w = image.width, h = image.height, ch = PNG_IMAGE_SAMPLE_CHANNELS(image.format);
    return out;
}

/// "" if the byte sequences are equal, else where they first differ. (Catch would print whole
/// megabyte vectors on a failed `==`, which takes minutes.)
std::string first_difference(const std::vector<std::uint8_t>& got, const std::vector<std::uint8_t>& want) {
    if (got == want) return "";
    std::size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    return "sizes " + std::to_string(got.size()) + " and " + std::to_string(want.size()) + ", first difference at byte " +
           std::to_string(i) + (i < got.size() && i < want.size()
                                    ? ": " + std::to_string(got[i]) + " instead of " + std::to_string(want[i])
                                    : "");
}

/// Checks that both decoders return exactly the image's pixels, size and channel count.
void check_decodes_to(const std::vector<std::uint8_t>& png, const TestImage& img) {
    const std::vector<std::uint8_t> expected = img.tight();
    std::size_t w = 0, h = 0, ch = 0;
    const auto stb = decode_with_stb(png, w, h, ch);
    INFO("stb: " << (stb.empty() && stbi_failure_reason() ? stbi_failure_reason() : "decoded"));
    CHECK((w == img.width && h == img.height && ch == img.channels));
    CHECK(first_difference(stb, expected) == "");
    w = h = ch = 0;
    const auto lib = decode_with_libpng(png, w, h, ch);
    CHECK((w == img.width && h == img.height && ch == img.channels));
    CHECK(first_difference(lib, expected) == "");
}

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

struct Chunk {
    std::string type;
    std::vector<std::uint8_t> data;
};

/// Splits a PNG into chunks after checking the signature and every chunk's CRC with zlib's crc32.
std::vector<Chunk> parse_chunks(const std::vector<std::uint8_t>& png) {
    static const std::uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    REQUIRE(png.size() >= 8);
    REQUIRE(std::memcmp(png.data(), signature, 8) == 0);
    std::vector<Chunk> chunks;
    std::size_t at = 8;
    while (at < png.size()) {
        REQUIRE(png.size() - at >= 12);
        const std::uint32_t length = be32(&png[at]);
        REQUIRE(png.size() - at - 12 >= length);
        const std::uint8_t* type = &png[at + 4];
        const uLong crc = crc32(crc32(0L, Z_NULL, 0), type, uInt(4 + length));
        INFO("chunk " << std::string(type, type + 4) << " at byte " << at);
        CHECK(be32(&png[at + 8 + length]) == crc);
        chunks.push_back({std::string(type, type + 4), std::vector<std::uint8_t>(type + 4, type + 4 + length)});
        at += 12 + length;
    }
    return chunks;
}

/// The IDAT data inflated with zlib: the filtered rows, each starting with its filter type.
std::vector<std::uint8_t> inflate_idat(const std::vector<Chunk>& chunks, std::size_t expected_size) {
    std::vector<std::uint8_t> z;
    for (const auto& c : chunks)
        if (c.type == "IDAT") z.insert(z.end(), c.data.begin(), c.data.end());
    std::vector<std::uint8_t> raw(expected_size + 1);
    uLongf size = uLongf(raw.size());
    REQUIRE(uncompress(raw.data(), &size, z.data(), uLong(z.size())) == Z_OK);
    raw.resize(size);
    return raw;
}

/// The backends (and a level each is used at) this build can run.
std::vector<std::pair<ZlibBackend, int>> backends_and_levels() {
    std::vector<std::pair<ZlibBackend, int>> b = {
        {ZlibBackend::best, wandb::automatic_compression}, {ZlibBackend::runs, 1}, {ZlibBackend::runs, 0}};
    if (wandb::detail::have_libdeflate) {
        b.push_back({ZlibBackend::libdeflate, 1});
        b.push_back({ZlibBackend::libdeflate, 6});
        b.push_back({ZlibBackend::libdeflate, 12});
    }
    return b;
}

const PngFilter all_filters[] = {PngFilter::automatic, PngFilter::none,  PngFilter::sub,     PngFilter::up,
                                 PngFilter::average,   PngFilter::paeth, PngFilter::adaptive};

}  // namespace

TEST_CASE("encode_png round-trips gray, RGB and RGBA pixels of every width 1..17 and odd heights", "[png]") {
    for (std::size_t ch : {1u, 3u, 4u})
        for (std::size_t w = 1; w <= 17; ++w)
            for (std::size_t h : {1u, 3u, 7u, 17u})
                for (char pattern : {'g', 'm'}) {
                    const TestImage img = make_image(pattern, w, h, ch);
                    INFO("pattern " << pattern << ", " << w << "x" << h << "x" << ch);
                    check_decodes_to(wandb::encode_png(img.view()), img);
                }
}

TEST_CASE("every filter strategy round-trips at widths 1..17 and writes the filter type it names", "[png][filter]") {
    for (PngFilter filter : all_filters)
        for (std::size_t ch : {1u, 3u, 4u})
            for (std::size_t w = 1; w <= 17; ++w)
                for (std::size_t h : {1u, 5u})
                    for (char pattern : {'g', 'm'}) {
                        const TestImage img = make_image(pattern, w, h, ch);
                        INFO("filter " << int(filter) << ", " << w << "x" << h << "x" << ch << ", pattern " << pattern);
                        const auto png = wandb::encode_png(img.view(), {1, filter});
                        check_decodes_to(png, img);
                        const auto rows = inflate_idat(parse_chunks(png), (w * ch + 1) * h);
                        REQUIRE(rows.size() == (w * ch + 1) * h);
                        for (std::size_t y = 0; y < h; ++y) {
                            const std::uint8_t type = rows[y * (w * ch + 1)];
                            // PNG filter types: None 0, Sub 1, Up 2, Average 3, Paeth 4.
                            switch (filter) {
                            case PngFilter::automatic:  // one of the documented candidates, for all rows
                                CHECK(type == rows[0]);
                                CHECK((ch == 1 ? (type == 2 || type == 0) : (type == 4 || type == 2)));
                                break;
                            case PngFilter::none: CHECK(type == 0); break;
                            case PngFilter::sub: CHECK(type == 1); break;
                            case PngFilter::up: CHECK(type == 2); break;
                            case PngFilter::average: CHECK(type == 3); break;
                            case PngFilter::paeth: CHECK(type == 4); break;
                            case PngFilter::adaptive: CHECK(type <= 4); break;
                            }
                        }
                    }
}

TEST_CASE("the automatic filter keeps None for a noise mask and Up for a mask of regions", "[png][filter]") {
    std::uint32_t lcg = 7;
    TestImage noise{300, 200, 1, 300, std::vector<std::uint8_t>(300 * 200)};
    for (auto& b : noise.bytes) b = std::uint8_t(((lcg = lcg * 1664525u + 1013904223u) >> 24) % 21);
    // Diagonal bands 17 pixels wide: a row repeats the one above except where a boundary moved.
    TestImage bands{300, 200, 1, 300, std::vector<std::uint8_t>(300 * 200)};
    for (std::size_t y = 0; y < bands.height; ++y)
        for (std::size_t x = 0; x < bands.width; ++x) bands.bytes[y * 300 + x] = std::uint8_t((x + y / 3) / 17 % 5);
    for (const TestImage* img : {&noise, &bands}) {
        const auto png = wandb::encode_png(img->view());
        check_decodes_to(png, *img);
        const auto rows = inflate_idat(parse_chunks(png), 301 * 200);
        const int expected = img == &noise ? 0 : 2;
        std::size_t matching = 0;
        for (std::size_t y = 0; y < 200; ++y) matching += rows[y * 301] == expected;
        CHECK(matching == 200);
    }
}

TEST_CASE("the adaptive filter picks Sub for a ramp, Up below a copy, None for zeros", "[png][filter]") {
    // Row 0: the ramp 10, 15, .., 165. Sub leaves 10 then 5s (sum 165); Paeth on the first row
    // predicts as Sub and ties, and the earlier filter wins ties; None and Up keep the large values.
    // Row 1: the same ramp. Up leaves zeros (Paeth too, and ties). Row 2: zeros. None leaves zeros.
    const std::size_t w = 32;
    TestImage img{w, 3, 1, w, std::vector<std::uint8_t>(3 * w)};
    for (std::size_t x = 0; x < w; ++x) {
        img.bytes[x] = std::uint8_t(10 + 5 * x);
        img.bytes[w + x] = std::uint8_t(10 + 5 * x);
        img.bytes[2 * w + x] = 0;
    }
    const auto png = wandb::encode_png(img.view(), {1, PngFilter::adaptive});
    check_decodes_to(png, img);
    const auto rows = inflate_idat(parse_chunks(png), (w + 1) * 3);
    CHECK(int(rows[0]) == 1);            // Sub
    CHECK(int(rows[w + 1]) == 2);        // Up
    CHECK(int(rows[2 * (w + 1)]) == 0);  // None
}

TEST_CASE("every deflate backend and level round-trips at widths 1..17 and 100", "[png][deflate]") {
    for (const auto& [backend, level] : backends_and_levels())
        for (std::size_t ch : {1u, 3u, 4u})
            for (std::size_t w : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u, 16u, 17u, 100u})
                for (std::size_t h : {1u, 3u, 9u, 31u})
                    for (char pattern : {'g', 'm'}) {
                        const TestImage img = make_image(pattern, w, h, ch);
                        INFO("backend " << int(backend) << " level " << level << ", " << w << "x" << h << "x" << ch);
                        check_decodes_to(wandb::detail::encode_png_with(img.view(), {level, PngFilter::automatic}, backend),
                                         img);
                    }
}

TEST_CASE("encode_png gives the same bytes from a second translation unit", "[png]") {
    const TestImage img = make_image('m', 33, 9, 4);
    for (int level : {1, 6}) {
        const auto png = wandb_test::second_tu_encode_png(img.view(), level);
        CHECK(png == wandb::encode_png(img.view(), {level, PngFilter::adaptive}));
        check_decodes_to(png, img);
    }
}

TEST_CASE("compression level 1 is the runs encoder, levels 2..12 libdeflate when built in", "[png][deflate]") {
    const TestImage img = make_image('g', 64, 64, 3);
    CHECK(wandb::encode_png(img.view(), {1, PngFilter::automatic}) ==
          wandb::detail::encode_png_with(img.view(), {1, PngFilter::automatic}, ZlibBackend::runs));
    const auto level6 = wandb::encode_png(img.view(), {6, PngFilter::automatic});
    const ZlibBackend expected = wandb::detail::have_libdeflate ? ZlibBackend::libdeflate : ZlibBackend::runs;
    CHECK(level6 == wandb::detail::encode_png_with(img.view(), {6, PngFilter::automatic}, expected));
    check_decodes_to(level6, img);
}

TEST_CASE("the automatic level picks runs for noise and libdeflate level 6 for repeated patterns", "[png][deflate]") {
    std::uint32_t lcg = 99;
    auto next = [&] { return std::uint8_t((lcg = lcg * 1664525u + 1013904223u) >> 24); };
    // Noise: nothing repeats, LZ77 gains nothing over runs and literals.
    TestImage noise{200, 120, 3, 600, std::vector<std::uint8_t>(200 * 120 * 3)};
    for (auto& b : noise.bytes) b = next();
    // Each row a different random tile of 61 pixels repeated: neither a filter nor runs predict
    // it, LZ77 copies each tile from 183 bytes back (like text and markers in a plot).
    TestImage tiles{256, 120, 3, 768, std::vector<std::uint8_t>(256 * 120 * 3)};
    for (std::size_t y = 0; y < tiles.height; ++y) {
        std::uint8_t tile[61 * 3];
        for (auto& b : tile) b = next();
        for (std::size_t i = 0; i < tiles.stride; ++i) tiles.bytes[y * tiles.stride + i] = tile[i % sizeof tile];
    }
    const auto noise_png = wandb::encode_png(noise.view());
    check_decodes_to(noise_png, noise);
    CHECK(noise_png == wandb::encode_png(noise.view(), {1, PngFilter::automatic}));
    const auto tiles_png = wandb::encode_png(tiles.view());
    check_decodes_to(tiles_png, tiles);
    CHECK(tiles_png == wandb::encode_png(tiles.view(), {wandb::detail::have_libdeflate ? 6 : 1, PngFilter::automatic}));
    if (wandb::detail::have_libdeflate)  // the point of the choice: far smaller than runs alone
        CHECK(tiles_png.size() * 2 < wandb::encode_png(tiles.view(), {1, PngFilter::automatic}).size());
}

TEST_CASE("all-zero and all-255 masks round-trip and shrink to a tiny file", "[png][mask]") {
    for (const auto& [backend, level] : backends_and_levels())
        for (std::uint8_t value : {std::uint8_t(0), std::uint8_t(255)})
            for (std::size_t side : {1u, 3u, 257u, 1024u}) {
                const TestImage img = make_constant(side, side, 1, value);
                INFO("backend " << int(backend) << " level " << level << ", value " << int(value) << ", side " << side);
                const auto png = wandb::detail::encode_png_with(img.view(), {level, PngFilter::automatic}, backend);
                check_decodes_to(png, img);
                if (level > 0 && side == 1024) CHECK(png.size() < 4096);  // 1 MiB of one value
            }
}

TEST_CASE("a non-tight row_stride encodes only width * channels bytes of each row", "[png]") {
    for (std::size_t ch : {1u, 3u, 4u})
        for (std::size_t padding : {1u, 5u, 64u})
            for (const auto& [backend, level] : backends_and_levels()) {
                const TestImage img = make_image('g', 13, 11, ch, padding);
                INFO(ch << " channels, padding " << padding << ", backend " << int(backend));
                check_decodes_to(wandb::detail::encode_png_with(img.view(), {level, PngFilter::paeth}, backend), img);
                check_decodes_to(wandb::detail::encode_png_with(img.view(), {level, PngFilter::up}, backend), img);
            }
}

TEST_CASE("the PNG has signature, exact IHDR, IDAT and IEND with valid CRCs, nothing else", "[png][structure]") {
    const std::pair<std::size_t, std::uint8_t> colour_types[] = {{1, 0}, {3, 2}, {4, 6}};
    for (const auto& [ch, colour_type] : colour_types) {
        const TestImage img = make_image('g', 300, 7, ch);
        const auto chunks = parse_chunks(wandb::encode_png(img.view()));
        REQUIRE(chunks.size() == 3);
        CHECK(chunks[0].type == "IHDR");
        CHECK(chunks[1].type == "IDAT");
        CHECK(chunks[2].type == "IEND");
        CHECK(chunks[2].data.empty());
        const std::vector<std::uint8_t> ihdr = {0, 0, 1, 44,  // width 300
                                                0, 0, 0, 7,   // height 7
                                                8,            // bit depth
                                                colour_type,  // 0 gray, 2 RGB, 6 RGBA
                                                0, 0, 0};     // deflate, adaptive filtering, no interlace
        CHECK(chunks[0].data == ihdr);
    }
}

TEST_CASE("a zlib stream split over many IDAT chunks decodes", "[png][structure]") {
    const TestImage img = make_image('g', 40, 30, 3);
    const auto whole = wandb::detail::encode_png_with(img.view(), {}, ZlibBackend::runs);
    const std::size_t zlib_size = parse_chunks(whole)[1].data.size();
    for (std::size_t max_idat : {1u, 7u, 1000u}) {
        INFO("max IDAT " << max_idat);
        const auto png = wandb::detail::encode_png_with(img.view(), {}, ZlibBackend::runs, max_idat);
        const auto chunks = parse_chunks(png);
        REQUIRE(chunks.size() == 2 + (zlib_size + max_idat - 1) / max_idat);
        for (std::size_t i = 1; i + 1 < chunks.size(); ++i) {
            CHECK(chunks[i].type == "IDAT");
            CHECK(chunks[i].data.size() == (i + 2 < chunks.size() ? max_idat : zlib_size - (chunks.size() - 3) * max_idat));
        }
        check_decodes_to(png, img);
    }
}

TEST_CASE("encode_png rejects bad input with exact messages", "[png][errors]") {
    const std::vector<std::uint8_t> bytes(64 * 4, 0);
    auto message = [&](PixelView v, PngOptions o = {}) -> std::string {
        try {
            wandb::encode_png(v, o);
        } catch (const wandb::ValidationError& e) {
            return e.what();
        }
        return "no wandb::ValidationError";
    };
    const std::uint8_t* d = bytes.data();
    CHECK(message({d, 4, 4, 2, 8}) == "wandb::encode_png: channels must be 1, 3 or 4, got 2");
    CHECK(message({d, 4, 4, 0, 8}) == "wandb::encode_png: channels must be 1, 3 or 4, got 0");
    CHECK(message({d, 4, 4, 5, 20}) == "wandb::encode_png: channels must be 1, 3 or 4, got 5");
    CHECK(message({d, 0, 4, 1, 4}) == "wandb::encode_png: width must be 1..65500, got 0");
    CHECK(message({d, 65501, 1, 1, 65501}) == "wandb::encode_png: width must be 1..65500, got 65501");
    CHECK(message({d, 4, 0, 1, 4}) == "wandb::encode_png: height must be 1..65500, got 0");
    CHECK(message({d, 1, 65501, 1, 1}) == "wandb::encode_png: height must be 1..65500, got 65501");
    CHECK(message({nullptr, 4, 4, 1, 4}) == "wandb::encode_png: data is null");
    CHECK(message({d, 4, 4, 3, 11}) == "wandb::encode_png: row_stride must be at least width * channels = 12, got 11");
    CHECK(message({d, 4, 4, 1, 4}, {-2, PngFilter::automatic}) ==
          "wandb::encode_png: compression_level must be -1 (automatic) or 0..12, got -2");
    CHECK(message({d, 4, 4, 1, 4}, {13, PngFilter::automatic}) ==
          "wandb::encode_png: compression_level must be -1 (automatic) or 0..12, got 13");
    CHECK(message({d, 4, 4, 1, 4}, {1, PngFilter(99)}) == "wandb::encode_png: unknown filter 99");
    CHECK_THROWS_AS(wandb::encode_png({d, 4, 4, 2, 8}), std::invalid_argument);
    // The largest sides are accepted.
    const std::vector<std::uint8_t> line(65500, 3);
    CHECK_NOTHROW(wandb::encode_png({line.data(), 65500, 1, 1, 65500}));
    CHECK_NOTHROW(wandb::encode_png({line.data(), 1, 65500, 1, 1}));
}

TEST_CASE("the runs deflate encoder round-trips through zlib on runs, noise and block boundaries", "[png][deflate]") {
    std::vector<std::vector<std::uint8_t>> inputs;
    for (std::size_t n = 0; n <= 12; ++n) inputs.emplace_back(n, std::uint8_t(7));  // short, all runs
    std::uint32_t lcg = 12345;
    auto next = [&] { return lcg = lcg * 1664525u + 1013904223u; };
    {  // runs of every length 1..600 of alternating values: 258-byte copies and their tails
        std::vector<std::uint8_t> v;
        for (std::size_t len = 1; len <= 600; ++len) v.insert(v.end(), len, std::uint8_t(len % 3));
        inputs.push_back(v);
    }
    {  // noise: more than one block of 65536 tokens, and Huffman codes near 8 bits
        std::vector<std::uint8_t> v(300000);
        for (auto& b : v) b = std::uint8_t(next() >> 24);
        inputs.push_back(v);
    }
    {  // skewed noise, runs cut by a full token buffer: 65535 literals then a long run
        std::vector<std::uint8_t> v(65535);
        for (auto& b : v) b = std::uint8_t((next() >> 24) % 5 == 0 ? next() >> 24 : 1 + (v.size() & 1));
        for (std::size_t i = 1; i < v.size(); ++i)
            if (v[i] == v[i - 1]) v[i] = std::uint8_t(v[i] + 1);  // no runs before the long one
        v.insert(v.end(), 100000, std::uint8_t(42));
        inputs.push_back(v);
    }
    {  // 20 MB of zeros: one block of 258-byte copies spanning megabytes
        inputs.emplace_back(20u << 20, std::uint8_t(0));
    }
    for (const auto& in : inputs)
        for (int level : {0, 1}) {
            INFO("input of " << in.size() << " bytes, level " << level);
            const auto z = wandb::detail::zlib_compress(in.data(), in.size(), level, ZlibBackend::runs);
            CHECK(z.size + 8 <= wandb::detail::RunDeflater::bound(in.size()));  // 8: the writer's slack
            std::vector<std::uint8_t> out(in.size() + 1);
            uLongf size = uLongf(out.size());
            REQUIRE(uncompress(out.data(), &size, z.data.get(), uLong(z.size)) == Z_OK);  // checks Adler-32 too
            out.resize(size);
            CHECK(first_difference(out, in) == "");
        }
}

TEST_CASE("CRC-32 of no bytes at a null pointer keeps the running value (IEND's CRC)", "[png][crc32]") {
    const std::uint32_t iend = wandb::detail::crc32(0, "IEND", 4);
    CHECK(iend == 0xAE426082u);  // the CRC every PNG's IEND chunk ends with
    CHECK(wandb::detail::crc32(iend, nullptr, 0) == 0xAE426082u);
}

TEST_CASE("Adler-32 matches zlib's", "[png][deflate]") {
    std::vector<std::uint8_t> data(100000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::uint8_t(255 - (i * 7919u >> 5));
    for (std::size_t n : {0u, 1u, 5551u, 5552u, 5553u, 100000u}) {
        INFO(n << " bytes");
        CHECK(wandb::detail::adler32(1, data.data(), n) == adler32(adler32(0L, Z_NULL, 0), data.data(), uInt(n)));
    }
}

TEST_CASE("the inline namespace names the mode and the deflate backend, so builds that differ never share a symbol",
          "[png][deflate]") {
    // The Itanium mangling of wandb::<inline namespace>::detail::ZlibBackend: the namespace is part
    // of every symbol, so a program whose parts disagree on libdeflate or on the mode (header-only
    // or compiled) fails to link. WANDB_TEST_COMPILED_MODE is what CMake built (tests/CMakeLists.txt).
    const std::string mangled = typeid(wandb::detail::ZlibBackend).name();
    const char* expected = WANDB_TEST_COMPILED_MODE
                               ? (WANDB_TEST_CMAKE_USES_LIBDEFLATE ? "N5wandb22v0_compiled_libdeflate6detail11ZlibBackendE"
                                                                   : "N5wandb27v0_compiled_builtin_deflate6detail11ZlibBackendE")
                               : (WANDB_TEST_CMAKE_USES_LIBDEFLATE ? "N5wandb13v0_libdeflate6detail11ZlibBackendE"
                                                                   : "N5wandb18v0_builtin_deflate6detail11ZlibBackendE");
    CHECK(mangled == expected);
    CHECK(WANDB_IMAGEMASK_HEADER_ONLY == !WANDB_TEST_COMPILED_MODE);
}

TEST_CASE("the libdeflate backend is there exactly when CMake chose it, and refused when not", "[png][deflate]") {
    // WANDB_TEST_CMAKE_USES_LIBDEFLATE is what CMake decided (tests/CMakeLists.txt), so a pass
    // meant to run without libdeflate (tests/run.sh) cannot silently run with it.
    CHECK(wandb::detail::have_libdeflate == bool(WANDB_TEST_CMAKE_USES_LIBDEFLATE));
    const TestImage img = make_image('g', 17, 5, 3);
    if (wandb::detail::have_libdeflate) {
        check_decodes_to(wandb::detail::encode_png_with(img.view(), {6, PngFilter::up}, ZlibBackend::libdeflate), img);
    } else {
        CHECK_THROWS_MATCHES(wandb::detail::encode_png_with(img.view(), {6, PngFilter::up}, ZlibBackend::libdeflate),
                             wandb::ValidationError,
                             Catch::Message("wandb::encode_png: this build has no libdeflate backend"));
    }
}

}  // namespace test_png
