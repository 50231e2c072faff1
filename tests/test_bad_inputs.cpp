// The bad-input catalogue: every wrong thing a caller can pass, each refused with the exact
// exception type and message, and each leaving the run exactly as it was (the listing of every
// file below the run's root with its size, the `.wandb` log included). Expected messages are
// written from the rules (0..255 ids, 2D masks, 1/3/4 channels, sides up to 65500, PNG facts,
// UTF-8), never copied from the library's output. Also the lead's decisions on inputs that are
// accepted: 1xN/Nx1 masks, `..` and absolute media keys, non-finite numbers.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_bad_inputs {

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
    CHECK_REFUSED(cat, wandb::ImageMask(in / "folder.png"), wandb::ValidationError, cannot + "/folder.png: it is a directory, not a regular file");

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
    CHECK_REFUSED(cat, wandb::Image(in / "folder.jpg"), wandb::ValidationError, cannot + "/folder.jpg: it is a directory, not a regular file");
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
                  "wandb::OfflineRun::log: key \"" + k300 + "\" makes a file name segment of 327 bytes; the limit is 255");
    // 225 bytes: the image's file name fits (252 bytes), its mask's (".mask.png", 257 bytes) does
    // not; the image must not be written either.
    const std::string k225(225, 'k');
    CHECK_REFUSED(cat, cat.run().log({{"first", wandb::Image(pixels(2, 2))}, {k225, image}}), wandb::ValidationError,
                  "wandb::OfflineRun::log: key \"" + k225 + "\" makes a file name segment of 257 bytes; the limit is 255");
    // A '/' starts a new segment: 200 + 200 bytes of key is fine.
    cat.log_good({{std::string(200, 'a') + "/" + std::string(200, 'b'), image}});
    // Scalar keys name no file; a long one is fine.
    cat.log_good({{k300, 1.5}});
    cat.finish_and_check();
}

TEST_CASE("An explicit step that goes backwards, is negative or leaves no next step is refused",
          "[bad_inputs][steps]") {
    Catalogue cat(false);
    wandb::OfflineRun& run = cat.run();
    CHECK_REFUSED(cat, run.log({{"a", 1}}, -1), wandb::ValidationError,
                  "wandb::OfflineRun::log: step -1 is negative; steps start at 0");
    run.log({{"a", 1}}, 10);  // open until a greater step, a commit or finish
    const std::string rule = "; steps must not decrease (the rows of earlier steps are written already)";
    CHECK_REFUSED(cat, run.log({{"a", 2}}, 9), wandb::ValidationError,
                  "wandb::OfflineRun::log: step 9 is less than the current step 10" + rule);
    CHECK_REFUSED(cat, run.log({{"a", 2}, {"img", wandb::Image(pixels(2, 2))}}, 9), wandb::ValidationError,
                  "wandb::OfflineRun::log: step 9 is less than the current step 10" + rule);
    CHECK_REFUSED(cat, run.log({{"a", 2}}, -5), wandb::ValidationError,
                  "wandb::OfflineRun::log: step -5 is negative; steps start at 0");
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    CHECK_REFUSED(cat, run.log({{"a", 2}}, max), wandb::ValidationError,
                  "wandb::OfflineRun::log: step 9223372036854775807 is out of range; steps go up to 9223372036854775806");
    run.log({{"a", 3}}, max - 1);  // writes the row of step 10
    run.log({{"b", 4}});           // joins the row of step max - 1 and commits it: the current step is max
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

// --- Issue 11: special files, files accepted half-read, values that are not JSON, contract gaps ----

namespace {

/// What constructing each file reader on `path` does, in a child that gives up after 10 s (a
/// reader that waits on a FIFO would otherwise hang the suite): one line per reader.
std::string readers_on(const fs::path& path) {
    return wandb_test::in_child([&] {
        ::alarm(10);
        return wandb_test::outcome_of([&] { wandb::ImageMask mask(path); }) + "\n" +
               wandb_test::outcome_of([&] { wandb::Image image(path); }) + "\n" +
               wandb_test::outcome_of([&] { wandb::RunLogReader reader(path.string()); }) + "\n";
    });
}

std::string refusals(const fs::path& path, const std::string& kind) {
    const std::string why = ": it is " + kind + ", not a regular file";
    return "ValidationError: wandb::ImageMask: cannot read mask file " + path.string() + why + "\n" +
           "ValidationError: wandb::Image: cannot read image file " + path.string() + why + "\n" +
           "ValidationError: wandb::RunLogReader: cannot read " + path.string() + why + "\n";
}

/// A JPEG of `w` x `h` RGB pixels written by stb's encoder (quality 90).
std::vector<std::uint8_t> jpeg(int w, int h) {
    std::vector<std::uint8_t> px(std::size_t(w) * std::size_t(h) * 3);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 7 % 251);
    std::vector<std::uint8_t> out;
    stbi_write_jpg_to_func(
        [](void* context, void* data, int size) {
            auto* o = static_cast<std::vector<std::uint8_t>*>(context);
            o->insert(o->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
        },
        &out, w, h, 3, px.data(), 90);
    return out;
}

/// The offset of the first marker 0xFF `marker` in a JPEG.
std::size_t marker_at(const std::vector<std::uint8_t>& b, std::uint8_t marker) {
    for (std::size_t i = 0; i + 1 < b.size(); ++i)
        if (b[i] == 0xFF && b[i + 1] == marker) return i;
    return 0;
}

/// A BMP written from the format (BITMAPFILEHEADER + BITMAPINFOHEADER, 24-bit rows padded to 4
/// bytes, bottom-up unless `height` is negative), every pixel (b, g, r) = (10, 20, 30 + row).
std::vector<std::uint8_t> bmp(std::int32_t width, std::int32_t height, std::uint32_t compression = 0) {
    const std::uint32_t rows = std::uint32_t(height < 0 ? -height : height);
    const std::uint32_t row_size = (std::uint32_t(width) * 3 + 3) / 4 * 4;
    std::vector<std::uint8_t> b;
    auto le = [&](std::uint32_t v, int n) {
        for (int i = 0; i < n; ++i) b.push_back(std::uint8_t(v >> (8 * i)));
    };
    b.push_back('B');
    b.push_back('M');
    le(54 + row_size * rows, 4);
    le(0, 4);
    le(54, 4);
    le(40, 4);
    le(std::uint32_t(width), 4);
    le(std::uint32_t(height), 4);
    le(1, 2);
    le(24, 2);
    le(compression, 4);
    le(row_size * rows, 4);
    le(2835, 4);
    le(2835, 4);
    le(0, 4);
    le(0, 4);
    for (std::uint32_t r = 0; r < rows; ++r) {
        for (std::int32_t c = 0; c < width; ++c) b.insert(b.end(), {10, 20, std::uint8_t(30 + r)});
        b.insert(b.end(), row_size - std::uint32_t(width) * 3, 0);
    }
    return b;
}

/// A JSON value nested `depth` arrays deep around the number 1, built without recursion.
wandb::Json nested(std::size_t depth) {
    wandb::Json v = 1;
    for (std::size_t i = 0; i < depth; ++i) {
        wandb::Json a = wandb::Json::array();
        a.push_back(std::move(v));
        v = std::move(a);
    }
    return v;
}

/// A row of one value, moved in (a braced Row would copy it, recursively).
wandb::Row row_of(const std::string& key, wandb::Json value) {
    wandb::Row row;
    row.emplace_back(key, wandb::Value(std::move(value)));
    return row;
}

}  // namespace

TEST_CASE("FIFOs, sockets, devices, directories and links to them are refused at once by every file reader",
          "[bad_inputs][file][special]") {
    TempDir in;
    REQUIRE(::mkfifo((in / "pipe.png").c_str(), 0644) == 0);
    CHECK(readers_on(in / "pipe.png") == refusals(in / "pipe.png", "a FIFO (named pipe)"));
    fs::create_symlink(in / "pipe.png", in / "link.png");
    CHECK(readers_on(in / "link.png") == refusals(in / "link.png", "a FIFO (named pipe)"));
    // A FIFO with a writer that never writes: still refused at once, not read.
    REQUIRE(::mkfifo((in / "held.png").c_str(), 0644) == 0);
    const int held = ::open((in / "held.png").c_str(), O_RDWR | O_NONBLOCK);
    REQUIRE(held >= 0);
    CHECK(readers_on(in / "held.png") == refusals(in / "held.png", "a FIFO (named pipe)"));
    ::close(held);

    const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(sock >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string socket_path = (in / "s.png").string();
    REQUIRE(socket_path.size() < sizeof address.sun_path);
    std::strcpy(address.sun_path, socket_path.c_str());
    REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    // A socket cannot be opened (ENXIO): refused with the system's reason, at once.
    const std::string no_socket = ": No such device or address";
    CHECK(readers_on(socket_path) ==
          "ValidationError: wandb::ImageMask: cannot read mask file " + socket_path + no_socket + "\n" +
              "ValidationError: wandb::Image: cannot read image file " + socket_path + no_socket + "\n" +
              "IoError: wandb::RunLogReader: cannot open " + socket_path + no_socket + "\n");
    ::close(sock);

    // Links with an image extension, so that Image(path) gets past its extension check.
    fs::create_symlink("/dev/null", in / "null.png");
    CHECK(readers_on(in / "null.png") == refusals(in / "null.png", "a character device"));
    fs::create_symlink("/dev/zero", in / "zero.jpg");  // endless: never read
    CHECK(readers_on(in / "zero.jpg") == refusals(in / "zero.jpg", "a character device"));
    fs::create_directory(in / "dir.bmp");
    CHECK(readers_on(in / "dir.bmp") == refusals(in / "dir.bmp", "a directory"));
    // A block device, where the machine has one readable (loop devices need no disk).
    std::string block;
    for (const char* candidate : {"/dev/loop0", "/dev/sda", "/dev/vda", "/dev/nvme0n1", "/dev/xvda"}) {
        struct stat st {};
        if (::stat(candidate, &st) == 0 && S_ISBLK(st.st_mode) && ::access(candidate, R_OK) == 0) {
            block = candidate;
            break;
        }
    }
    if (block.empty()) {
        WARN("no readable block device in /dev on this machine: the block-device case is skipped");
    } else {
        fs::create_symlink(block, in / "block.png");
        CHECK(readers_on(in / "block.png") == refusals(in / "block.png", "a block device"));
    }
}

TEST_CASE("Image files that are truncated or corrupt in their data, not just their header, are refused",
          "[bad_inputs][file]") {
    Catalogue cat;
    TempDir in;
    const std::string file = "wandb::Image: image file " + in.path().string();
    const auto good = jpeg(32, 24);
    wandb_test::write_bytes(in / "good.jpg", good);
    cat.log_good({{"jpg", wandb::Image(in / "good.jpg")}});

    // JPEG: cut inside the scan, cut inside a header segment, EOI missing, an SOI alone.
    const std::size_t sos = marker_at(good, 0xDA);  // the scan header; its data follows
    REQUIRE(sos > 0);
    auto cut = good;
    cut.resize((sos + 14 + good.size()) / 2);
    REQUIRE(cut.size() > sos + 14);
    wandb_test::write_bytes(in / "cut.jpg", cut);
    CHECK_REFUSED(cat, cat.run().log({{"j", wandb::Image(in / "cut.jpg")}}), wandb::ValidationError,
                  file + "/cut.jpg is corrupt: truncated at byte " + std::to_string(cut.size()) +
                      " (its image data has no EOI marker)");
    auto no_eoi = good;
    no_eoi.resize(good.size() - 2);  // stb's writer ends the file with EOI (FF D9)
    wandb_test::write_bytes(in / "noeoi.jpg", no_eoi);
    CHECK_REFUSED(cat, wandb::Image(in / "noeoi.jpg"), wandb::ValidationError,
                  file + "/noeoi.jpg is corrupt: truncated at byte " + std::to_string(no_eoi.size()) +
                      " (its image data has no EOI marker)");
    const std::size_t dqt = marker_at(good, 0xDB);
    REQUIRE(dqt > 0);
    auto head = good;
    head.resize(dqt + 10);
    wandb_test::write_bytes(in / "head.jpg", head);
    CHECK_REFUSED(cat, wandb::Image(in / "head.jpg"), wandb::ValidationError,
                  file + "/head.jpg is corrupt: truncated: the segment at byte " + std::to_string(dqt) +
                      " runs past the end of the file");
    wandb_test::write_bytes(in / "soi.jpg", {0xFF, 0xD8, 0xFF});
    CHECK_REFUSED(cat, wandb::Image(in / "soi.jpg"), wandb::ValidationError,
                  file + "/soi.jpg is corrupt: truncated at byte 3 (no EOI marker)");
    // JPEG codings stb does not decode: refused as unsupported, not as corrupt.
    const std::size_t sof = marker_at(good, 0xC0);
    REQUIRE(sof > 0);
    auto arithmetic = good;
    arithmetic[sof + 1] = 0xC9;
    wandb_test::write_bytes(in / "arith.jpg", arithmetic);
    CHECK_REFUSED(cat, wandb::Image(in / "arith.jpg"), wandb::ValidationError,
                  file + "/arith.jpg uses unsupported JPEG arithmetic coding (SOF9-15)");
    auto lossless = good;
    lossless[sof + 1] = 0xC3;
    wandb_test::write_bytes(in / "lossless.jpg", lossless);
    CHECK_REFUSED(cat, wandb::Image(in / "lossless.jpg"), wandb::ValidationError,
                  file + "/lossless.jpg uses unsupported JPEG lossless coding (SOF3)");
    auto twelve = good;
    twelve[sof + 4] = 12;  // the frame header's sample precision
    wandb_test::write_bytes(in / "twelve.jpg", twelve);
    CHECK_REFUSED(cat, wandb::Image(in / "twelve.jpg"), wandb::ValidationError,
                  file + "/twelve.jpg uses unsupported JPEG sample precision of 12 bits (only 8)");
    // Tables a scan or frame uses but no DHT or DQT defined: stb 2.27 would read them uninitialized.
    auto no_huffman = good;
    no_huffman[sos + 6] = 0x33;  // the first component's DC and AC tables: 3, never defined
    wandb_test::write_bytes(in / "nohuff.jpg", no_huffman);
    CHECK_REFUSED(cat, wandb::Image(in / "nohuff.jpg"), wandb::ValidationError,
                  file + "/nohuff.jpg is corrupt: the scan at byte " + std::to_string(sos) +
                      " uses a Huffman table that is not defined before it");
    auto no_quantization = good;
    no_quantization[sof + 12] = 3;  // the first component's quantization table
    wandb_test::write_bytes(in / "noquant.jpg", no_quantization);
    CHECK_REFUSED(cat, wandb::Image(in / "noquant.jpg"), wandb::ValidationError,
                  file + "/noquant.jpg is corrupt: component " + std::to_string(good[sof + 10]) +
                      " uses quantization table 3, which is not defined before the scan at byte " + std::to_string(sos));
    // A JPEG announcing more pixels than its bytes can code (every 8x8 block takes a bit at least).
    auto huge = good;
    huge[sof + 5] = 0xFF;  // height 65280 + ...
    huge[sof + 7] = 0xFF;  // width
    wandb_test::write_bytes(in / "huge.jpg", huge);
    const int huge_h = huge[sof + 5] << 8 | huge[sof + 6], huge_w = huge[sof + 7] << 8 | huge[sof + 8];
    CHECK_REFUSED(cat, wandb::Image(in / "huge.jpg"), wandb::ValidationError,
                  file + "/huge.jpg announces " + std::to_string(huge_w) + "x" + std::to_string(huge_h) +
                      " pixels, more than its " + std::to_string(huge.size()) + " bytes can hold");

    // BMP: the 60-byte file of a 16x16 image (its pixels would end at byte 54 + 16 * 48 = 822).
    auto short_bmp = bmp(16, 16);
    short_bmp.resize(60);
    wandb_test::write_bytes(in / "short.bmp", short_bmp);
    CHECK_REFUSED(cat, wandb::Image(in / "short.bmp"), wandb::ValidationError,
                  file + "/short.bmp is corrupt: truncated: its 16x16 pixels of 24 bits end at byte 822, but the "
                         "file has 60 bytes");
    wandb_test::write_bytes(in / "rle8.bmp", bmp(4, 4, 1));
    CHECK_REFUSED(cat, wandb::Image(in / "rle8.bmp"), wandb::ValidationError,
                  file + "/rle8.bmp uses unsupported BMP compression RLE8");
    wandb_test::write_bytes(in / "rle4.bmp", bmp(4, 4, 2));
    CHECK_REFUSED(cat, wandb::Image(in / "rle4.bmp"), wandb::ValidationError,
                  file + "/rle4.bmp uses unsupported BMP compression RLE4");
    auto header = bmp(4, 4);
    header.resize(20);
    wandb_test::write_bytes(in / "header.bmp", header);
    CHECK_REFUSED(cat, wandb::Image(in / "header.bmp"), wandb::ValidationError,
                  file + "/header.bmp is corrupt: truncated in its headers");

    // PNG: IDAT that is not zlib data, and a zlib stream that ends before the pixels do.
    wandb_test::write_bytes(in / "notzlib.png", wandb_test::png_from_idat(4, 4, 8, 2, {'h', 'e', 'l', 'l', 'o', '!'}));
    CHECK_REFUSED(cat, cat.run().log({{"p", wandb::Image(in / "notzlib.png")}}), wandb::ValidationError,
                  file + "/notzlib.png is corrupt: bad zlib header");
    std::vector<std::uint8_t> rows(2 * (1 + 4 * 3), 0);  // 2 of the 4 rows
    uLongf size = compressBound(uLong(rows.size()));
    std::vector<std::uint8_t> z(size);
    compress2(z.data(), &size, rows.data(), uLong(rows.size()), 9);
    z.resize(size);
    wandb_test::write_bytes(in / "short.png", wandb_test::png_from_idat(4, 4, 8, 2, z));
    CHECK_REFUSED(cat, wandb::Image(in / "short.png"), wandb::ValidationError,
                  file + "/short.png is corrupt: not enough pixels");
    cat.finish_and_check();
}

TEST_CASE("Valid files refused before are accepted: a top-down BMP, a large 1-bit PNG",
          "[bad_inputs][file]") {
    Catalogue cat;
    TempDir in;
    // A top-down BMP (negative height): 5x4, logged byte for byte with its true size.
    const auto top_down = bmp(5, -4);
    wandb_test::write_bytes(in / "top.bmp", top_down);
    const wandb::Image image(in / "top.bmp");
    CHECK(image.width() == 5);
    CHECK(image.height() == 4);
    const auto decoded = wandb_test::decode(top_down);  // stb flips it: row 0 is the first stored row
    REQUIRE(decoded.width == 5);
    CHECK(decoded.pixels[0] == 30);  // (r, g, b) of row 0 = (30, 20, 10)
    CHECK(decoded.pixels[1] == 20);
    CHECK(decoded.pixels[std::size_t(3 * 5 * 3)] == 30 + 3);
    cat.log_good({{"bmp", image}});
    // A 4000x4000 1-bit gray PNG of zeros: its 2,004,000 raw bytes deflate to about 2 KB, which
    // holds them (a bound counting 8 bits per sample would ask for 15.5 KB).
    std::vector<std::uint8_t> raw(std::size_t(4000) * 500, 0);
    const auto one_bit = wandb_test::make_png(4000, 4000, 1, 0, raw);
    REQUIRE(one_bit.size() < 15000);
    wandb_test::write_bytes(in / "bits.png", one_bit);
    const wandb::Image bits(in / "bits.png");
    CHECK(bits.width() == 4000);
    cat.log_good({{"bits", bits}});
    const auto history = wandb_test::read_back(cat.run().log_path()).of_kind("history").back();
    CHECK(wandb_test::read_bytes(cat.run().files_dir() / wandb_test::item_value(history["item"], "bits")["path"].get<std::string>()) ==
          one_bit);
    cat.finish_and_check();
}

TEST_CASE("Discarded, binary and non-UTF-8 JSON values are refused by every entry point, with one message form",
          "[bad_inputs][values]") {
    Catalogue cat;
    const wandb::Json discarded = wandb::Json::parse("{not json", nullptr, false);
    REQUIRE(discarded.is_discarded());
    const wandb::Json binary = wandb::Json::binary({1, 2, 3});
    const std::string no_text_d = "a discarded JSON value has no JSON text (the result of a failed parse?)";
    const std::string log = "wandb::OfflineRun::log: ";
    wandb::OfflineRun& run = cat.run();
    for (const auto& [value, what] : {std::pair{discarded, "a discarded JSON value"}, {binary, "a binary JSON value"}}) {
        const std::string tail = value.is_discarded() ? " has no JSON text (the result of a failed parse?)" : " has no JSON text";
        CHECK_REFUSED(cat, run.log({{"x", value}}), wandb::ValidationError, log + "value of \"x\": " + what + tail);
        CHECK_REFUSED(cat, run.log({{"val", wandb::Row{{"x", value}}}}), wandb::ValidationError,
                      log + "value of \"val.x\": " + what + tail);
        CHECK_REFUSED(cat, run.log({{"x", wandb::Json{{"a", {1, value}}}}}), wandb::ValidationError,
                      log + "value of \"x\": " + what + " at [\"a\"][1]" + tail);
        CHECK_REFUSED(cat, run.update_config({{"x", value}}), wandb::ValidationError,
                      "wandb::OfflineRun::update_config: value of \"x\": " + std::string(what) + tail);
        CHECK_REFUSED(cat, run.update_summary({{"x", {{"deep", value}}}}), wandb::ValidationError,
                      "wandb::OfflineRun::update_summary: value of \"x\": " + std::string(what) + " at [\"deep\"]" + tail);
        auto options = wandb_test::quiet_run_options(cat.root() / "other");
        options.config = {{"x", value}};
        CHECK_REFUSED(cat, wandb::OfflineRun{options}, wandb::ValidationError,
                      "wandb::OfflineRun: option config, value of \"x\": " + std::string(what) + tail);
        wandb::Table table({"c"});
        CHECK_THROWS_MATCHES(table.add_data({value}), wandb::ValidationError,
                             Message("wandb::Table: row 0, column \"c\": " + std::string(what) + tail));
    }
    (void)no_text_d;
    // Text that is not UTF-8, as a value and as a key, in every entry point.
    const std::string bad = "caf\xe9";
    const std::string utf8 = "is not valid UTF-8 (byte 0xe9 at offset 3)";
    CHECK_REFUSED(cat, run.log({{"x", bad}}), wandb::ValidationError, log + "value of \"x\": a string " + utf8);
    CHECK_REFUSED(cat, run.log({{"x", wandb::Json{{bad, 1}}}}), wandb::ValidationError,
                  log + "value of \"x\": a key at [\"caf\\xe9\"] " + utf8);
    CHECK_REFUSED(cat, run.update_config({{"x", {bad}}}), wandb::ValidationError,
                  "wandb::OfflineRun::update_config: value of \"x\": a string at [0] " + utf8);
    CHECK_REFUSED(cat, run.update_summary({{bad, 1}}), wandb::ValidationError,
                  "wandb::OfflineRun::update_summary: a key of values " + utf8);
    wandb::Table table({"c"});
    CHECK_THROWS_MATCHES(table.add_data({wandb::Json{{"k", bad}}}), wandb::ValidationError,
                         Message("wandb::Table: row 0, column \"c\": a string at [\"k\"] " + utf8));
    // The reserved keys: _wandb everywhere, and the ones log sets in the summary.
    auto options = wandb_test::quiet_run_options(cat.root() / "other");
    options.config = {{"_wandb", {{"x", 1}}}};
    CHECK_REFUSED(cat, wandb::OfflineRun{options}, wandb::ValidationError,
                  "wandb::OfflineRun: the key \"_wandb\" is reserved for W&B");
    for (const char* key : {"_step", "_runtime", "_timestamp", "_wandb"})
        CHECK_REFUSED(cat, run.update_summary({{key, 1}}), wandb::ValidationError,
                      "wandb::OfflineRun::update_summary: the key \"" + std::string(key) + "\" is reserved for W&B");
    cat.log_good({{"x", wandb::Json{{"ok", {1, "two"}}}}});
    cat.run().update_summary({{"_private", 1}});  // other underscore keys are the user's
    cat.finish_and_check();
    const auto summary = wandb::Json::parse(wandb_test::read_bytes(cat.run().files_dir() / "wandb-summary.json"));
    CHECK(summary["_private"] == 1);
}

TEST_CASE("JSON nested deeper than 256 levels is refused at once, even 100,000 levels deep", "[bad_inputs][values]") {
    Catalogue cat;
    wandb::OfflineRun& run = cat.run();
    const std::string deeper = "the value nests deeper than 256 levels (at depth 257)";
    cat.log_good(row_of("edge", nested(256)));
    CHECK_REFUSED(cat, run.log(row_of("deep", nested(257))), wandb::ValidationError,
                  "wandb::OfflineRun::log: value of \"deep\": " + deeper);
    CHECK_REFUSED(cat, run.log(row_of("deep", nested(100000))), wandb::ValidationError,
                  "wandb::OfflineRun::log: value of \"deep\": " + deeper);
    wandb::Json config = wandb::Json::object();
    config["deep"] = nested(100000);
    CHECK_REFUSED(cat, run.update_config(config), wandb::ValidationError,
                  "wandb::OfflineRun::update_config: value of \"deep\": " + deeper);
    CHECK_REFUSED(cat, run.update_summary(config), wandb::ValidationError,
                  "wandb::OfflineRun::update_summary: value of \"deep\": " + deeper);
    auto options = wandb_test::quiet_run_options(cat.root() / "other");
    options.config["deep"] = nested(100000);
    CHECK_REFUSED(cat, wandb::OfflineRun(std::move(options)), wandb::ValidationError,
                  "wandb::OfflineRun: option config, value of \"deep\": " + deeper);
    wandb::Table table({"c"});
    std::vector<wandb::TableCell> cells;
    cells.emplace_back(nested(100000));
    CHECK_THROWS_MATCHES(table.add_data(std::move(cells)), wandb::ValidationError,
                         Message("wandb::Table: row 0, column \"c\": " + deeper));
    cat.finish_and_check();
    const auto yaml = wandb_test::read_bytes(cat.run().files_dir() / "config.yaml");
    CHECK(yaml.empty());  // nothing of the refused config
}

TEST_CASE("Run ids follow W&B's rules and fit in the run directory's name; tags count characters",
          "[bad_inputs][options]") {
    TempDir root;
    auto with_id = [&](const std::string& id) {
        auto options = wandb_test::quiet_run_options(root.path());
        options.run_id = id;
        return wandb_test::outcome_of([&] { wandb::OfflineRun run(options); });
    };
    const std::string who = "ValidationError: wandb::OfflineRun: option run_id ";
    const std::string forbids = "; W&B forbids : ; , # ? / ' \\ %";
    for (const char c : std::string(":;,#?/'\\%"))
        CHECK(with_id(std::string("a") + c + "b") == who + "\"a" + (c == '\\' ? "\\\\" : std::string(1, c)) +
                                                         "b\" contains '" + c + "'" + forbids);
    CHECK(with_id(" lead") == who + "\" lead\" starts or ends with a space; W&B forbids that");
    CHECK(with_id("trail ") == who + "\"trail \" starts or ends with a space; W&B forbids that");
    CHECK(with_id(".") == who + "\".\" is not a usable id: a run's URL ends with its id");
    CHECK(with_id("..") == who + "\"..\" is not a usable id: a run's URL ends with its id");
    CHECK(with_id("a\tb") == who + "\"a\\x09b\" holds a control character at byte 1");
    CHECK(with_id("a\xffz") == who + "is not valid UTF-8 (byte 0xff at offset 1)");
    CHECK(with_id(std::string(228, 'x')) ==
          "ValidationError: wandb::OfflineRun: option run_id is 228 bytes long; at most 227 fit in the run "
          "directory's name (255 bytes)");
    CHECK(fs::is_empty(root.path()));  // nothing was created for a refused id
    CHECK(with_id(std::string(227, 'x')) == "no exception");
    CHECK(with_id("with inner space..x") == "no exception");  // W&B allows both

    auto with_tag = [&](const std::string& tag) {
        auto options = wandb_test::quiet_run_options(root.path());
        options.tags = {tag};
        return wandb_test::outcome_of([&] { wandb::OfflineRun run(options); });
    };
    std::string e64, e65;
    for (int i = 0; i < 64; ++i) e64 += "\xc3\xa9";  // 64 characters, 128 bytes
    e65 = e64 + "\xc3\xa9";
    CHECK(with_tag(e64) == "no exception");
    CHECK(with_tag(e65) == "ValidationError: wandb::OfflineRun: tag \"" + e65 + "\" is 65 characters; W&B allows 64");
    CHECK(with_tag("a\nb") == "ValidationError: wandb::OfflineRun: tag \"a\\x0ab\" holds a control character at byte 1");
    CHECK(with_id("") == "no exception");
    CHECK(wandb_test::outcome_of([&] {
              auto options = wandb_test::quiet_run_options(root.path());
              options.media_threads = 5000;
              wandb::OfflineRun run(options);
          }) == "ValidationError: wandb::OfflineRun: option media_threads 5000 is over 1024; 0 takes the hardware threads");
}

TEST_CASE("Class names, mask and box keys, column names and score names with control characters are refused",
          "[bad_inputs][keys]") {
    const xt::xtensor<std::uint8_t, 2> labels(std::array<std::size_t, 2>{2, 2}, 0);
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels, wandb::ClassLabels{{0, std::string("a\0b", 3)}}), wandb::ValidationError,
                         Message(R"(wandb::ImageMask: class label 0 name "a\x00b" holds a control character at byte 1)"));
    CHECK_THROWS_MATCHES(wandb::Classes({{1, "sky\n"}}), wandb::ValidationError,
                         Message(R"(wandb::Classes: name of class id 1 "sky\x0a" holds a control character at byte 3)"));
    wandb::Image image(pixels(2, 2));
    CHECK_THROWS_MATCHES(image.with_mask("gt\x01", wandb::ImageMask(labels)), wandb::ValidationError,
                         Message(R"(wandb::Image: mask key "gt\x01" holds a control character at byte 2)"));
    CHECK_THROWS_MATCHES(image.with_boxes("b\x7f", wandb::BoundingBoxes2D(std::vector<wandb::Box2D>{})), wandb::ValidationError,
                         Message(R"(wandb::Image: boxes key "b\x7f" holds a control character at byte 1)"));
    CHECK_THROWS_MATCHES(wandb::Table({"ok", "c\tol"}), wandb::ValidationError,
                         Message(R"(wandb::Table: column 1 name "c\x09ol" holds a control character at byte 1)"));
    CHECK_THROWS_MATCHES(wandb::BoundingBoxes2D({wandb::Box2D{wandb::BoxCorners{0.1, 0.2, 0.1, 0.2}, 1, "car", {{"iou\x01", 0.5}}}}),
                         wandb::ValidationError,
                         Message(R"(wandb::BoundingBoxes2D: box 0: score name "iou\x01" holds a control character at byte 3)"));
    CHECK(image.masks().empty());
    CHECK(image.boxes().empty());
}

TEST_CASE("A list of images of different sizes is refused; a table over 200,000 rows is refused at the next row",
          "[bad_inputs][values]") {
    Catalogue cat;
    const std::vector<wandb::Image> images{wandb::Image(pixels(8, 8)), wandb::Image(pixels(8, 8)), wandb::Image(pixels(9, 8))};
    CHECK_REFUSED(cat, cat.run().log({{"imgs", images}}), wandb::ValidationError,
                  "wandb::OfflineRun::log: image 2 under key \"imgs\" is 8x9 pixels but image 0 is 8x8; W&B shows a "
                  "list at one size, so log images of other sizes under another key");
    CHECK_THROWS_MATCHES(wandb::bind_to_run(images, wandb::RunContext{cat.root() / "x", "imgs", 0}), wandb::ValidationError,
                         Message("wandb::bind_to_run: image 2 under key \"imgs\" is 8x9 pixels but image 0 is 8x8; W&B "
                                 "shows a list at one size, so log images of other sizes under another key"));
    cat.log_good({{"imgs", std::vector<wandb::Image>(images.begin(), images.begin() + 2)}});

    wandb::Table table({"i"});
    for (int i = 0; i < 200000; ++i) table.add_data({i});
    CHECK_THROWS_MATCHES(table.add_data({200000}), wandb::ValidationError,
                         Message("wandb::Table: row 200000 would exceed the 200000 rows W&B stores of a table (the "
                                 "SDK's Table.MAX_ARTIFACT_ROWS); log the rest in another table"));
    CHECK(table.nrows() == 200000);
    cat.finish_and_check();
}

TEST_CASE("A mask file without the .png extension is logged with one", "[bad_inputs][file]") {
    Catalogue cat;
    TempDir in;
    const auto png = wandb_test::make_gray_png(4, 4, std::vector<std::uint8_t>(16, 2));
    wandb_test::write_bytes(in / "mask", png);
    wandb_test::write_bytes(in / "mask.dat", png);
    wandb_test::write_bytes(in / "upper.PNG", png);
    const wandb::Image base(pixels(4, 4));
    auto with = [&](const char* name) { return wandb::Image(base).with_mask("gt", wandb::ImageMask(in / name)); };
    cat.log_good({{"a", with("mask")}, {"b", with("mask.dat")}, {"c", with("upper.PNG")}});
    const auto history = wandb_test::read_back(cat.run().log_path()).of_kind("history").back();
    auto mask_path = [&](const char* key) {
        return wandb_test::item_value(history["item"], key)["masks"]["gt"]["path"].get<std::string>();
    };
    const std::string sha = wandb_test::sha256_hex(in / "mask").substr(0, 20);
    CHECK(mask_path("a") == "media/images/mask/a_1_" + sha + ".png");
    CHECK(mask_path("b") == "media/images/mask/b_1_" + sha + ".png");
    CHECK(mask_path("c") == "media/images/mask/c_1_" + sha + ".PNG");  // a .png extension is kept as written
    // In a table the staged member keeps the file's stem and gets the extension too.
    wandb::Table table({"image"});
    table.add_data({with("mask")});
    cat.log_good({{"t", table}});
    bool found = false;
    for (const auto& record : wandb_test::read_back(cat.run().log_path()).of_kind("artifact"))
        for (const auto& entry : record["manifest"]["contents"])
            found = found || entry["path"].get<std::string>().find("/mask.png") != std::string::npos;
    CHECK(found);
    cat.finish_and_check();
}

TEST_CASE("Two runs with the same id started in the same second: the second is refused, the first is untouched",
          "[bad_inputs][options]") {
    TempDir root;
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto options = wandb_test::quiet_run_options(root.path());
        options.run_id = "dup" + std::to_string(attempt);
        wandb::OfflineRun first(options);
        first.log({{"a", 1}});
        const auto before = wandb_test::file_sizes(root.path());
        const std::string outcome = wandb_test::outcome_of([&] { wandb::OfflineRun second(options); });
        if (outcome == "no exception") continue;  // the second crossed into the next second: another directory
        CHECK(outcome == "ValidationError: wandb::OfflineRun: " + first.dir().string() + " already holds the log of run \"" +
                             options.run_id + "\" (two runs with one id started in the same second); give each run its own id");
        CHECK(wandb_test::file_sizes(root.path()) == before);
        first.finish();
        CHECK_FALSE(wandb_test::read_back(first.log_path()).problem);
        return;
    }
    FAIL("five attempts each crossed a second boundary");
}

}  // namespace test_bad_inputs
