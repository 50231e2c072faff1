// The bad-input catalogue: every wrong thing a caller can pass, each refused with the exact
// exception type and message, and each leaving the run exactly as it was (the listing of every
// file below the run's root with its size, the `.wandb` log included). Expected messages are
// written from the rules (0..255 ids, 2D masks, 1/3/4 channels, sides up to 65500, PNG facts,
// UTF-8), never copied from the library's output. Also the lead's decisions on inputs that are
// accepted: 1xN/Nx1 masks, `..` and absolute media keys, non-finite numbers.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <climits>
#include <cstdint>
#include <limits>
#include <string>

#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

using Catch::Message;
using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

/// A run with one good row logged, and the check that a refused input changes nothing.
class Catalogue {
public:
    /// \param warmup  log one row first (log call 0): media of the next call are named "_1_".
    explicit Catalogue(bool warmup = true) : run_(wandb_test::quiet_run_options(root_.path())) {
        if (warmup) log_good({{"warmup", 1}});
    }

    wandb::OfflineRun& run() { return run_; }
    const fs::path& root() const { return root_.path(); }
    std::string base() const { return root_.path().string(); }
    std::string files() const { return run_.files_dir().string(); }

    /// Every file below the root (run directory, log, anything written outside) and its size.
    std::map<std::string, std::uintmax_t> state() const { return wandb_test::file_sizes(root_.path()); }

    /// Logs a good row (counted, so the final check knows how many rows the log must hold).
    void log_good(const wandb::Row& row) {
        run_.log(row);
        ++good_rows_;
    }

    /// Finishes the run and checks the log reads back whole with exactly the good rows, and the
    /// media it names are all there.
    void finish_and_check() {
        run_.finish();
        const auto log = wandb_test::read_back(run_.log_path());
        CHECK_FALSE(log.problem);
        CHECK(log.of_kind("history").size() == good_rows_);
        CHECK(wandb_test::run_problems(run_.dir(), log, true).empty());
    }

private:
    TempDir root_;
    wandb::OfflineRun run_;
    std::size_t good_rows_ = 0;
};

/// Checks that `expr` throws exactly `Type` with exactly `text`, and that nothing below the
/// catalogue's root changed (no file added, removed or resized; the log's size included).
#define CHECK_REFUSED(cat, expr, Type, text)                          \
    do {                                                              \
        const auto before_state_ = (cat).state();                     \
        CHECK_THROWS_MATCHES(expr, Type, Message(text));              \
        CHECK((cat).state() == before_state_);                        \
    } while (false)

xt::xtensor<std::uint8_t, 3> pixels(std::size_t h, std::size_t w, std::uint8_t v = 90) {
    return xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{h, w, 3}, v);
}

/// A zlib stream of `megabytes` MiB of zero bytes (about 1 KiB per MiB compressed).
std::vector<std::uint8_t> zeros_deflated(std::size_t megabytes) {
    z_stream z{};
    deflateInit(&z, 9);
    std::vector<std::uint8_t> in(1 << 20, 0), out;
    std::vector<std::uint8_t> buf(1 << 16);
    for (std::size_t i = 0; i <= megabytes; ++i) {
        const bool last = i == megabytes;
        z.next_in = in.data();
        z.avail_in = last ? 0 : uInt(in.size());
        do {
            z.next_out = buf.data();
            z.avail_out = uInt(buf.size());
            deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
            out.insert(out.end(), buf.data(), buf.data() + (buf.size() - z.avail_out));
        } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    return out;
}

/// This process's peak resident set (VmHWM), in KiB.
long peak_rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

/// What `body` throws, run in a forked child, plus how much its peak resident set grew meanwhile.
std::string outcome_with_peak_growth(const std::function<void()>& body, long& growth_kib) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        const long before = peak_rss_kib();
        std::string text = wandb_test::outcome_of(body);
        text = std::to_string(peak_rss_kib() - before) + "\n" + text;
        (void)!::write(fds[1], text.data(), text.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) text.append(buf, std::size_t(n));
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    const auto newline = text.find('\n');
    REQUIRE(newline != std::string::npos);
    growth_kib = std::stol(text.substr(0, newline));
    return text.substr(newline + 1);
}

}  // namespace

// --- Masks ----------------------------------------------------------------------------------

TEST_CASE("Mask values outside 0..255 are refused with the value and its row and column", "[bad_inputs][mask]") {
    Catalogue cat;
    const std::string prefix = "wandb::ImageMask: mask_data value ";
    xt::xtensor<std::int8_t, 2> i8 = xt::zeros<std::int8_t>({3, 4});
    i8(1, 2) = -7;
    CHECK_REFUSED(cat, cat.run().log({{"m", wandb::Image(pixels(3, 4)).with_mask("p", wandb::ImageMask(i8))}}),
                  wandb::ValidationError, prefix + "-7 at row 1, column 2 is outside 0..255");
    xt::xtensor<std::int16_t, 2> i16 = xt::zeros<std::int16_t>({2, 2});
    i16(0, 1) = -300;
    CHECK_REFUSED(cat, wandb::ImageMask(i16), wandb::ValidationError, prefix + "-300 at row 0, column 1 is outside 0..255");
    i16(0, 1) = 0;
    i16(1, 1) = 300;
    CHECK_REFUSED(cat, wandb::ImageMask(i16), wandb::ValidationError, prefix + "300 at row 1, column 1 is outside 0..255");
    xt::xtensor<std::int32_t, 2> i32 = xt::zeros<std::int32_t>({2, 3});
    i32(1, 0) = 256;
    CHECK_REFUSED(cat, wandb::ImageMask(i32), wandb::ValidationError, prefix + "256 at row 1, column 0 is outside 0..255");
    i32(1, 0) = INT32_MIN;
    CHECK_REFUSED(cat, wandb::ImageMask(i32), wandb::ValidationError,
                  prefix + "-2147483648 at row 1, column 0 is outside 0..255");
    xt::xtensor<std::int64_t, 2> i64 = xt::zeros<std::int64_t>({1, 5});
    i64(0, 4) = 70000;
    CHECK_REFUSED(cat, wandb::ImageMask(i64), wandb::ValidationError, prefix + "70000 at row 0, column 4 is outside 0..255");
    i64(0, 4) = std::numeric_limits<std::int64_t>::min();
    CHECK_REFUSED(cat, wandb::ImageMask(i64), wandb::ValidationError,
                  prefix + "-9223372036854775808 at row 0, column 4 is outside 0..255");
    xt::xtensor<std::uint16_t, 2> u16 = xt::zeros<std::uint16_t>({4, 1});
    u16(3, 0) = 65535;
    CHECK_REFUSED(cat, wandb::ImageMask(u16), wandb::ValidationError, prefix + "65535 at row 3, column 0 is outside 0..255");
    xt::xtensor<std::uint64_t, 2> u64 = xt::zeros<std::uint64_t>({2, 2});
    u64(1, 1) = std::numeric_limits<std::uint64_t>::max();
    CHECK_REFUSED(cat, wandb::ImageMask(u64), wandb::ValidationError,
                  prefix + "18446744073709551615 at row 1, column 1 is outside 0..255");
    // The refusal comes from the constructor: a bad mask never reaches a run.
    CHECK_REFUSED(cat, cat.run().log({{"m", wandb::Image(pixels(2, 2)).with_mask("p", wandb::ImageMask(u64))}}),
                  wandb::ValidationError, prefix + "18446744073709551615 at row 1, column 1 is outside 0..255");
    cat.finish_and_check();
}

TEST_CASE("Empty masks (0xN, Nx0) and masks that are not 2D are refused with their shape", "[bad_inputs][mask]") {
    Catalogue cat;
    CHECK_REFUSED(cat, wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{0, 7})),
                  wandb::ValidationError, "wandb::ImageMask: mask_data is empty, shape (0, 7)");
    CHECK_REFUSED(cat, wandb::ImageMask(xt::xtensor<std::int32_t, 2>(std::array<std::size_t, 2>{7, 0})),
                  wandb::ValidationError, "wandb::ImageMask: mask_data is empty, shape (7, 0)");
    CHECK_REFUSED(cat, wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{0, 0})),
                  wandb::ValidationError, "wandb::ImageMask: mask_data is empty, shape (0, 0)");
    CHECK_REFUSED(cat, wandb::ImageMask(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{4, 4, 1})),
                  wandb::ValidationError, "wandb::ImageMask: mask_data must be a 2D array, got shape (4, 4, 1)");
    CHECK_REFUSED(cat, wandb::ImageMask(xt::xarray<std::int16_t>::from_shape({2, 3, 4})), wandb::ValidationError,
                  "wandb::ImageMask: mask_data must be a 2D array, got shape (2, 3, 4)");
    CHECK_REFUSED(cat, wandb::ImageMask(xt::xarray<std::uint8_t>::from_shape({9})), wandb::ValidationError,
                  "wandb::ImageMask: mask_data must be a 2D array, got shape (9,)");
    CHECK_REFUSED(cat, wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{65501, 1}, 0)),
                  wandb::ValidationError, "wandb::ImageMask: mask_data shape (65501, 1) has a side over 65500");
    cat.finish_and_check();
}

// Decision: a single row (1xN) or a single column (Nx1) is a valid 2D mask, as numpy's
// (1, N) and (N, 1) arrays are for the SDK; it is accepted and logged exactly.
TEST_CASE("1xN and Nx1 masks are valid 2D masks and round-trip exactly", "[bad_inputs][mask]") {
    Catalogue cat;
    const xt::xtensor<std::uint8_t, 2> row = {{0, 1, 2, 255, 7, 0, 3}};
    const xt::xtensor<std::int64_t, 2> column = {{9}, {0}, {200}, {1}};
    cat.log_good({{"row", wandb::Image(pixels(1, 7)).with_mask("m", wandb::ImageMask(row))},
                  {"column", wandb::Image(pixels(4, 1)).with_mask("m", wandb::ImageMask(column))},
                  {"one", wandb::Image(pixels(1, 1)).with_mask("m", wandb::ImageMask(xt::xtensor<int, 2>{{5}}))}});
    cat.finish_and_check();
    const auto history = wandb_test::read_back(cat.run().log_path()).of_kind("history").at(1);
    const struct {
        const char* key;
        int width, height;
        std::vector<std::uint8_t> values;
    } expected[] = {{"row", 7, 1, {0, 1, 2, 255, 7, 0, 3}}, {"column", 1, 4, {9, 0, 200, 1}}, {"one", 1, 1, {5}}};
    for (const auto& e : expected) {
        INFO(e.key);
        const auto value = wandb_test::item_value(history["item"], e.key);
        CHECK(value["width"] == e.width);
        CHECK(value["height"] == e.height);
        const auto file = wandb_test::read_bytes(cat.run().files_dir() / value["masks"]["m"]["path"].get<std::string>());
        CHECK(wandb_test::png_depth_and_color(file) == std::pair<int, int>{8, 0});
        const auto decoded = wandb_test::decode(file);
        CHECK(decoded.width == e.width);
        CHECK(decoded.height == e.height);
        CHECK(decoded.pixels == e.values);
    }
}

TEST_CASE("Class labels with ids outside 0..255, empty names or names that are not UTF-8 are refused",
          "[bad_inputs][mask]") {
    Catalogue cat;
    const xt::xtensor<std::uint8_t, 2> m = {{0, 1}};
    using L = wandb::ClassLabels;
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{0, "sky"}, {256, "x"}}), wandb::ValidationError,
                  "wandb::ImageMask: class label id 256 is outside 0..255");
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{-1, "x"}}), wandb::ValidationError,
                  "wandb::ImageMask: class label id -1 is outside 0..255");
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{INT_MAX, "x"}}), wandb::ValidationError,
                  "wandb::ImageMask: class label id 2147483647 is outside 0..255");
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{INT_MIN, "x"}}), wandb::ValidationError,
                  "wandb::ImageMask: class label id -2147483648 is outside 0..255");
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{1, ""}}), wandb::ValidationError,
                  "wandb::ImageMask: class label 1 name is empty");
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{1, "ro\xC3\x28"}}), wandb::ValidationError,  // bad continuation
                  "wandb::ImageMask: class label 1 name is not valid UTF-8 (byte 0xc3 at offset 2)");
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{0, "\xED\xA0\x80"}}), wandb::ValidationError,  // UTF-16 surrogate
                  "wandb::ImageMask: class label 0 name is not valid UTF-8 (byte 0xed at offset 0)");
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{0, "a\xF4\x90\x80\x80"}}), wandb::ValidationError,  // > U+10FFFF
                  "wandb::ImageMask: class label 0 name is not valid UTF-8 (byte 0xf4 at offset 1)");
    CHECK_REFUSED(cat, wandb::ImageMask(m, L{{0, "cut\xE2\x82"}}), wandb::ValidationError,  // truncated sequence
                  "wandb::ImageMask: class label 0 name is not valid UTF-8 (byte 0xe2 at offset 3)");
    cat.finish_and_check();
}

// --- Images ---------------------------------------------------------------------------------

TEST_CASE("Images with 2 or 5 channels, NaN or infinite pixels, or a side over 65500 are refused",
          "[bad_inputs][image]") {
    Catalogue cat;
    const std::string shapes = "wandb::Image: pixels must have shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got ";
    CHECK_REFUSED(cat, wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{8, 8, 2})),
                  wandb::ValidationError, shapes + "(8, 8, 2)");
    CHECK_REFUSED(cat, wandb::Image(xt::xtensor<float, 3>(std::array<std::size_t, 3>{8, 8, 5})), wandb::ValidationError,
                  shapes + "(8, 8, 5)");
    CHECK_REFUSED(cat, wandb::Image(xt::xarray<std::uint8_t>::from_shape({2, 8, 8, 3})), wandb::ValidationError,
                  shapes + "(2, 8, 8, 3)");
    xt::xtensor<float, 3> nan = xt::zeros<float>({2, 3, 3});
    nan(1, 2, 0) = std::numeric_limits<float>::quiet_NaN();
    CHECK_REFUSED(cat, cat.run().log({{"img", wandb::Image(nan)}}), wandb::ValidationError,
                  "wandb::Image: pixel value nan at row 1, column 2, channel 0 is not finite");
    xt::xtensor<double, 2> inf = xt::ones<double>({3, 3});
    inf(2, 2) = std::numeric_limits<double>::infinity();
    CHECK_REFUSED(cat, wandb::Image(inf), wandb::ValidationError,
                  "wandb::Image: pixel value inf at row 2, column 2 is not finite");
    inf(2, 2) = 1;
    inf(0, 1) = -std::numeric_limits<double>::infinity();
    CHECK_REFUSED(cat, wandb::Image(inf, wandb::ImageFormat::png, wandb::Normalize::off), wandb::ValidationError,
                  "wandb::Image: pixel value -inf at row 0, column 1 is not finite");
    CHECK_REFUSED(cat, wandb::Image(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{65501, 1}, 0)),
                  wandb::ValidationError, "wandb::Image: pixels shape (65501, 1) has a side over 65500");
    CHECK_REFUSED(cat, wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{1, 65501, 3}, 0)),
                  wandb::ValidationError, "wandb::Image: pixels shape (1, 65501, 3) has a side over 65500");
    CHECK_REFUSED(cat, wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{5, 0, 3})),
                  wandb::ValidationError, "wandb::Image: pixels are empty, shape (5, 0, 3)");
    cat.finish_and_check();
}

TEST_CASE("A mask whose size differs from its image's is refused with both shapes", "[bad_inputs][image]") {
    Catalogue cat;
    const auto image = wandb::Image(pixels(4, 6));
    CHECK_REFUSED(cat, wandb::Image(image).with_mask("ground_truth", wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(
                                                                         std::array<std::size_t, 2>{3, 6}, 0))),
                  wandb::ValidationError, R"(wandb::Image: mask "ground_truth" has shape (3, 6) but the image has shape (4, 6))");
    CHECK_REFUSED(cat, wandb::Image(image).with_mask("p", wandb::ImageMask(xt::xtensor<std::int32_t, 2>(
                                                              std::array<std::size_t, 2>{6, 4}, 0))),
                  wandb::ValidationError, R"(wandb::Image: mask "p" has shape (6, 4) but the image has shape (4, 6))");
    CHECK_REFUSED(cat, cat.run().log({{"img", wandb::Image(image).with_mask("p", wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(
                                                                                          std::array<std::size_t, 2>{4, 7}, 0)))}}),
                  wandb::ValidationError, R"(wandb::Image: mask "p" has shape (4, 7) but the image has shape (4, 6))");
    cat.finish_and_check();
}

// --- Files ----------------------------------------------------------------------------------

TEST_CASE("Mask files that are missing, a directory, unreadable, corrupt, 16-bit, RGB or text are refused",
          "[bad_inputs][file]") {
    Catalogue cat;
    TempDir in;
    wandb_test::open_to_everyone(in.path());
    const std::string dir = in.path().string();
    const std::string cannot = "wandb::ImageMask: cannot read mask file " + dir;
    const std::string file = "wandb::ImageMask: mask file " + dir;
    auto mask_row = [](const fs::path& p) {
        return wandb::Row{{"m", wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{16, 16, 3}, 1))
                                     .with_mask("gt", wandb::ImageMask(p))}};
    };

    CHECK_REFUSED(cat, cat.run().log(mask_row(in / "absent.png")), wandb::ValidationError,
                  cannot + "/absent.png: No such file or directory");
    fs::create_directory(in / "folder.png");
    CHECK_REFUSED(cat, wandb::ImageMask(in / "folder.png"), wandb::ValidationError, cannot + "/folder.png: it is a directory");

    const auto good = wandb_test::make_gray_png(16, 16, std::vector<std::uint8_t>(256, 3));
    wandb_test::write_bytes(in / "locked.png", good);
    ::chmod((in / "locked.png").c_str(), 0);
    // As root every file is readable, so the case runs in a child that switched to "nobody".
    CHECK(wandb_test::in_unprivileged_child([&] {
              return wandb_test::outcome_of([&] { wandb::ImageMask mask(in / "locked.png"); });
          }) == "ValidationError: " + cannot + "/locked.png: Permission denied");

    // Layout of `good`: signature, IHDR chunk at byte 8 (25 bytes), IDAT chunk at byte 33.
    auto cut = good;
    cut.resize(50);
    wandb_test::write_bytes(in / "cut.png", cut);
    CHECK_REFUSED(cat, wandb::ImageMask(in / "cut.png"), wandb::ValidationError,
                  file + "/cut.png is corrupt: truncated: chunk at byte 33 runs past the end of the file");
    auto crc = good;
    crc[good.size() - 12 - 1] ^= 0x10;  // the last byte of IDAT's CRC
    wandb_test::write_bytes(in / "crc.png", crc);
    CHECK_REFUSED(cat, cat.run().log(mask_row(in / "crc.png")), wandb::ValidationError,
                  file + "/crc.png is corrupt: bad CRC in chunk IDAT at byte 33");
    wandb_test::write_bytes(in / "deep.png", wandb_test::make_png(2, 2, 16, 0, std::vector<std::uint8_t>(8, 0)));
    CHECK_REFUSED(cat, wandb::ImageMask(in / "deep.png"), wandb::ValidationError,
                  file + "/deep.png must be single-channel 8-bit gray, but it has 1 channel (gray) of 16 bits");
    wandb_test::write_bytes(in / "rgb.png", wandb_test::make_png(2, 2, 8, 2, std::vector<std::uint8_t>(12, 1)));
    CHECK_REFUSED(cat, wandb::ImageMask(in / "rgb.png"), wandb::ValidationError,
                  file + "/rgb.png must be single-channel 8-bit gray, but it has 3 channels (RGB) of 8 bits");
    wandb_test::write_text(in / "notes.png", "class ids: 0 sky, 1 road\n");
    CHECK_REFUSED(cat, cat.run().log(mask_row(in / "notes.png")), wandb::ValidationError,
                  file + "/notes.png is not a PNG image");
    cat.finish_and_check();
}

TEST_CASE("Image files that are missing, a directory, unreadable, corrupt or text are refused; 16-bit PNGs are images",
          "[bad_inputs][file]") {
    Catalogue cat;
    TempDir in;
    wandb_test::open_to_everyone(in.path());
    const std::string dir = in.path().string();
    const std::string cannot = "wandb::Image: cannot read image file " + dir;
    const std::string file = "wandb::Image: image file " + dir;

    CHECK_REFUSED(cat, cat.run().log({{"img", wandb::Image(in / "absent.png")}}), wandb::ValidationError,
                  cannot + "/absent.png: No such file or directory");
    fs::create_directory(in / "folder.jpg");
    CHECK_REFUSED(cat, wandb::Image(in / "folder.jpg"), wandb::ValidationError, cannot + "/folder.jpg: it is a directory");
    const auto good = wandb_test::make_png(8, 8, 8, 2, std::vector<std::uint8_t>(8 * 8 * 3, 40));
    wandb_test::write_bytes(in / "locked.png", good);
    ::chmod((in / "locked.png").c_str(), 0);
    CHECK(wandb_test::in_unprivileged_child([&] {
              return wandb_test::outcome_of([&] { wandb::Image image(in / "locked.png"); });
          }) == "ValidationError: " + cannot + "/locked.png: Permission denied");
    auto cut = good;
    cut.resize(good.size() - 12);  // IEND gone
    wandb_test::write_bytes(in / "cut.png", cut);
    CHECK_REFUSED(cat, wandb::Image(in / "cut.png"), wandb::ValidationError,
                  file + "/cut.png is corrupt: truncated at byte " + std::to_string(cut.size()) + " (no IEND chunk)");
    auto crc = good;
    crc[20] ^= 0x01;  // IHDR's height field
    wandb_test::write_bytes(in / "crc.png", crc);
    CHECK_REFUSED(cat, cat.run().log({{"img", wandb::Image(in / "crc.png")}}), wandb::ValidationError,
                  file + "/crc.png is corrupt: bad CRC in chunk IHDR at byte 8");
    wandb_test::write_text(in / "notes.png", "not an image");
    CHECK_REFUSED(cat, wandb::Image(in / "notes.png"), wandb::ValidationError,
                  file + "/notes.png is not a PNG, JPEG or BMP image");
    wandb_test::write_bytes(in / "photo.jpg", good);
    CHECK_REFUSED(cat, wandb::Image(in / "photo.jpg"), wandb::ValidationError,
                  file + "/photo.jpg holds a PNG image; its extension says jpg");

    // A 16-bit PNG is a valid image file (W&B shows it): accepted and logged byte for byte.
    const auto deep = wandb_test::make_png(2, 2, 16, 0, {0, 1, 2, 3, 4, 5, 6, 7});
    wandb_test::write_bytes(in / "deep.png", deep);
    cat.log_good({{"deep", wandb::Image(in / "deep.png")}});
    const auto history = wandb_test::read_back(cat.run().log_path()).of_kind("history").back();
    const auto value = wandb_test::item_value(history["item"], "deep");
    CHECK(wandb_test::read_bytes(cat.run().files_dir() / value["path"].get<std::string>()) == deep);
    cat.finish_and_check();
}

TEST_CASE("Mask and image files over 2 GiB are refused from their size, before they are read",
          "[bad_inputs][file]") {
    Catalogue cat;
    TempDir in;
    // A sparse 3 GiB file whose first bytes are a valid 8-bit gray PNG header.
    auto head = wandb_test::make_gray_png(4, 4, std::vector<std::uint8_t>(16, 0));
    for (const char* name : {"huge.png", "mask.png"}) {
        wandb_test::write_bytes(in / name, head);
        REQUIRE(::truncate((in / name).c_str(), off_t(3) << 30) == 0);
    }
    long growth = 0;
    CHECK(outcome_with_peak_growth([&] { wandb::Image image(in / "huge.png"); }, growth) ==
          "ValidationError: wandb::Image: image file " + in.path().string() + "/huge.png is larger than 2 GiB");
    CHECK(growth < 64 * 1024);  // KiB: the 3 GiB were not read into memory
    CHECK(outcome_with_peak_growth([&] { wandb::ImageMask mask(in / "mask.png"); }, growth) ==
          "ValidationError: wandb::ImageMask: mask file " + in.path().string() + "/mask.png is larger than 2 GiB");
    CHECK(growth < 64 * 1024);
    CHECK_REFUSED(cat, wandb::ImageMask(in / "mask.png"), wandb::ValidationError,
                  "wandb::ImageMask: mask file " + in.path().string() + "/mask.png is larger than 2 GiB");
    cat.finish_and_check();
}

TEST_CASE("A mask PNG whose image data inflates to more than its pixels need is refused before decoding",
          "[bad_inputs][file]") {
    Catalogue cat;
    TempDir in;
    // IHDR says 1x1 gray (2 bytes of raw data: filter byte and pixel), IDAT inflates to 256 MiB.
    const auto bomb = wandb_test::png_from_idat(1, 1, 8, 0, zeros_deflated(256));
    REQUIRE(bomb.size() < 512 * 1024);
    wandb_test::write_bytes(in / "bomb.png", bomb);
    const std::string expected = "ValidationError: wandb::ImageMask: mask file " + in.path().string() +
                                 "/bomb.png is corrupt: its image data inflates to more than the 2 bytes "
                                 "a 1x1 image of 8-bit gray needs";
    long growth = 0;
    CHECK(outcome_with_peak_growth([&] { wandb::ImageMask mask(in / "bomb.png"); }, growth) == expected);
    CHECK(growth < 64 * 1024);  // KiB
    CHECK_REFUSED(cat, wandb::ImageMask(in / "bomb.png"), wandb::ValidationError, expected.substr(17));
    cat.finish_and_check();
}

// --- History keys and steps -----------------------------------------------------------------

TEST_CASE("History keys that are empty, hold NUL or control characters, or are not UTF-8 are refused",
          "[bad_inputs][keys]") {
    Catalogue cat;
    const std::string log = "wandb::OfflineRun::log: key ";
    const auto image = wandb::Image(pixels(2, 2));
    CHECK_REFUSED(cat, cat.run().log({{"", 1}}), wandb::ValidationError, "wandb::OfflineRun::log: key is empty");
    CHECK_REFUSED(cat, cat.run().log({{"loss", 1}, {"", image}}), wandb::ValidationError,
                  "wandb::OfflineRun::log: key is empty");
    CHECK_REFUSED(cat, cat.run().log({{std::string("lo\0ss", 5), 1}}), wandb::ValidationError,
                  log + R"("lo\x00ss" holds a control character at byte 2)");
    CHECK_REFUSED(cat, cat.run().log({{std::string("img\0", 4), image}}), wandb::ValidationError,
                  log + R"("img\x00" holds a control character at byte 3)");
    CHECK_REFUSED(cat, cat.run().log({{"val\nloss", 1}}), wandb::ValidationError,
                  log + R"("val\x0aloss" holds a control character at byte 3)");
    CHECK_REFUSED(cat, cat.run().log({{"del\x7F", image}}), wandb::ValidationError,
                  log + R"("del\x7f" holds a control character at byte 3)");
    CHECK_REFUSED(cat, cat.run().log({{"val", wandb::Row{{"a\tb", 1}}}}), wandb::ValidationError,
                  log + R"("val.a\x09b" holds a control character at byte 1)");
    CHECK_REFUSED(cat, cat.run().log({{"lo\xC3ss", 1}}), wandb::ValidationError,
                  "wandb::OfflineRun::log: key is not valid UTF-8 (byte 0xc3 at offset 2)");
    CHECK_REFUSED(cat, cat.run().log({{"loss", 1}, {"\xFFimg", image}}), wandb::ValidationError,
                  "wandb::OfflineRun::log: key is not valid UTF-8 (byte 0xff at offset 0)");
    cat.log_good({{"loss", 1}, {"val", wandb::Row{{"img", image}}}});
    cat.finish_and_check();
}

TEST_CASE("A media key too long to name its files is refused before any file is written", "[bad_inputs][keys]") {
    Catalogue cat;
    const auto image = wandb::Image(pixels(4, 4)).with_mask("p", wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(
                                                                     std::array<std::size_t, 2>{4, 4}, 1)));
    // "<key>_<log call>_<20 hex digits of the sha256><extension>" must fit in 255 bytes; here the
    // log call is 1 and the image file's extension ".png": 300 + 27 = 327 bytes.
    const std::string k300(300, 'k');
    CHECK_REFUSED(cat, cat.run().log({{"loss", 0.5}, {k300, image}}), wandb::ValidationError,
                  "wandb::media_file_name: key \"" + k300 + "\" makes a file name segment of 327 bytes; the limit is 255");
    // 225 bytes: the image's file name fits (252 bytes), its mask's (".mask.png", 257 bytes) does
    // not; the image must not be written either.
    const std::string k225(225, 'k');
    CHECK_REFUSED(cat, cat.run().log({{"first", wandb::Image(pixels(2, 2))}, {k225, image}}), wandb::ValidationError,
                  "wandb::media_file_name: key \"" + k225 + "\" makes a file name segment of 257 bytes; the limit is 255");
    // A '/' starts a new segment: 200 + 200 bytes of key is fine.
    cat.log_good({{std::string(200, 'a') + "/" + std::string(200, 'b'), image}});
    // Scalar keys name no file; a long one is fine.
    cat.log_good({{k300, 1.5}});
    cat.finish_and_check();
}

TEST_CASE("An explicit step that goes backwards, repeats, is negative or leaves no next step is refused",
          "[bad_inputs][steps]") {
    Catalogue cat(false);
    wandb::OfflineRun& run = cat.run();
    CHECK_REFUSED(cat, run.log({{"a", 1}}, -1), wandb::ValidationError,
                  "wandb::OfflineRun::log: step -1 is negative; steps start at 0");
    run.log({{"a", 1}}, 10);
    const std::string must = "; steps must increase (log all values of one step in one call)";
    CHECK_REFUSED(cat, run.log({{"a", 2}}, 9), wandb::ValidationError,
                  "wandb::OfflineRun::log: step 9 is not greater than the last logged step 10" + must);
    CHECK_REFUSED(cat, run.log({{"a", 2}, {"img", wandb::Image(pixels(2, 2))}}, 10), wandb::ValidationError,
                  "wandb::OfflineRun::log: step 10 is not greater than the last logged step 10" + must);
    CHECK_REFUSED(cat, run.log({{"a", 2}}, -5), wandb::ValidationError,
                  "wandb::OfflineRun::log: step -5 is not greater than the last logged step 10" + must);
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    CHECK_REFUSED(cat, run.log({{"a", 2}}, max), wandb::ValidationError,
                  "wandb::OfflineRun::log: step 9223372036854775807 is out of range; steps go up to 9223372036854775806");
    run.log({{"a", 3}}, max - 1);
    // The next implicit step would be the largest int64: refused too, not overflowed.
    CHECK_REFUSED(cat, run.log({{"a", 4}}), wandb::ValidationError,
                  "wandb::OfflineRun::log: step 9223372036854775807 is out of range; steps go up to 9223372036854775806");
    run.finish();
    std::vector<std::int64_t> steps;
    const auto log = wandb_test::read_back(run.log_path());
    CHECK_FALSE(log.problem);
    for (const auto& h : log.of_kind("history")) steps.push_back(wandb_test::item_value(h["item"], "_step"));
    CHECK(steps == std::vector<std::int64_t>{10, max - 1});
}

// --- Accepted inputs the lead decided on ------------------------------------------------------

// Decision: a media key with ".." segments or a leading "/" is made upload-safe as the SDK does
// ("../x" -> "__/x", "/abs" -> "abs"), and nothing is written outside files/.
TEST_CASE("Media keys with .. segments or absolute paths are made upload-safe and stay inside files/",
          "[bad_inputs][keys]") {
    Catalogue cat;
    const auto image = wandb::Image(pixels(3, 3, 17));
    const auto before = cat.state();
    cat.log_good({{"../x", image}, {"/abs", image}, {"a/../../b", image}, {"./.", image}});
    const auto value_of = [&](const std::string& key) {
        const auto history = wandb_test::read_back(cat.run().log_path()).of_kind("history").back();
        return wandb_test::item_value(history["item"], key);
    };
    const std::string sha = value_of("../x")["sha256"];
    const std::string id = sha.substr(0, 20);
    CHECK(value_of("../x")["path"] == "media/images/__/x_1_" + id + ".png");
    CHECK(value_of("/abs")["path"] == "media/images/abs_1_" + id + ".png");
    CHECK(value_of("a/../../b")["path"] == "media/images/a/__/__/b_1_" + id + ".png");
    CHECK(value_of("./.")["path"] == "media/images/_/__1_" + id + ".png");
    // Exactly these four media files were added, all below the run's files/media/.
    std::vector<std::string> added;
    for (const auto& [name, size] : cat.state())
        if (!before.count(name)) added.push_back(name);
    const std::string files = fs::relative(cat.run().files_dir(), cat.root()).generic_string();
    CHECK(added == std::vector<std::string>{files + "/media/images/_/__1_" + id + ".png",
                                            files + "/media/images/__/x_1_" + id + ".png",
                                            files + "/media/images/a/__/__/b_1_" + id + ".png",
                                            files + "/media/images/abs_1_" + id + ".png"});
    CHECK(wandb_test::sha256_hex(cat.run().files_dir() / ("media/images/__/x_1_" + id + ".png")) == sha);
    cat.finish_and_check();
}

// Decision: NaN and infinities in a row are logged (a diverged loss must show), written as the
// SDK's bare tokens NaN, Infinity and -Infinity, not as nlohmann's null.
TEST_CASE("Non-finite numbers in a row are logged as NaN, Infinity and -Infinity", "[bad_inputs][values]") {
    Catalogue cat;
    const double inf = std::numeric_limits<double>::infinity();
    cat.log_good({{"loss", std::numeric_limits<double>::quiet_NaN()},
                  {"grad", inf},
                  {"low", -inf},
                  {"f", std::numeric_limits<float>::infinity()},
                  {"val", wandb::Row{{"loss", -std::numeric_limits<double>::quiet_NaN()}}},
                  {"list", wandb::Json::array({1.0, inf, std::numeric_limits<double>::quiet_NaN()})}});
    cat.finish_and_check();
    const auto history = wandb_test::read_back(cat.run().log_path()).of_kind("history").back();
    CHECK(wandb_test::item_text(history["item"], "loss") == "NaN");
    CHECK(wandb_test::item_text(history["item"], "grad") == "Infinity");
    CHECK(wandb_test::item_text(history["item"], "low") == "-Infinity");
    CHECK(wandb_test::item_text(history["item"], "f") == "Infinity");
    CHECK(wandb_test::item_text(history["item"], "val") == R"({"loss":NaN})");
    CHECK(wandb_test::item_text(history["item"], "list") == "[1.0,Infinity,NaN]");
    const auto summary = wandb_test::read_bytes(cat.run().files_dir() / "wandb-summary.json");
    const std::string text(summary.begin(), summary.end());
    CHECK(text.find(R"("loss":NaN)") != std::string::npos);
    CHECK(text.find(R"("low":-Infinity)") != std::string::npos);
}
