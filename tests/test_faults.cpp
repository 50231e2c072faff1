// Fault injection and crashes: a full disk (a file size limit), unwritable and vanished run
// directories, a rename that fails, and a child killed with SIGKILL at random moments. Each
// `log` must either complete or throw wandb::IoError naming the path and the system's reason;
// afterwards the `.wandb` log reads back whole up to the last completed `log`, every media file
// a history record names is there with its sha256, and a failed `log` leaves nothing behind (no
// temporary file, no media file that no history record names).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

/// Pixels that do not compress (xorshift noise): their PNG is about h * w * 3 bytes.
xt::xtensor<std::uint8_t, 3> noise(std::size_t h, std::size_t w, std::uint32_t seed) {
    xt::xtensor<std::uint8_t, 3> px(std::array<std::size_t, 3>{h, w, 3});
    std::uint32_t x = seed * 2654435761u + 12345u;
    for (auto& v : px) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v = static_cast<std::uint8_t>(x >> 24);
    }
    return px;
}

/// An image with one mask layer, both different for each seed.
wandb::Image masked(std::size_t side, std::uint32_t seed) {
    xt::xtensor<std::uint8_t, 2> m(std::array<std::size_t, 2>{side, side});
    for (std::size_t r = 0; r < side; ++r)
        for (std::size_t c = 0; c < side; ++c) m(r, c) = static_cast<std::uint8_t>((r * 7 + c * 3 + seed) % 5);
    return wandb::Image(noise(side, side, seed))
        .with_mask("pred", wandb::ImageMask(m, wandb::ClassLabels{{0, "sky"}, {1, "road"}, {2, "car"}, {3, "tree"}, {4, "person"}}));
}

std::string regex_escape(const std::string& text) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(text, special, R"(\$&)");
}

/// The "i" value of every history record, in order.
std::vector<int> logged_rows(const wandb_test::ReadBack& log) {
    std::vector<int> rows;
    for (const auto& h : log.of_kind("history")) {
        const auto i = wandb_test::item_value(h["item"], "i");
        if (!i.is_null()) rows.push_back(i.get<int>());
    }
    return rows;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("Disk full: each log completes or throws IoError, failed logs leave nothing, the log reads back",
          "[faults]") {
    TempDir root;
    // In a child, writes past 64 KiB in any file fail with EFBIG (SIGXFSZ ignored), as on a full
    // disk. Rows 7, 27, 47, ...: a small masked image, then a noise image of about 77 KB, whose
    // file cannot be written (the small one, already written, must go again). The log itself
    // reaches 64 KiB after some 60 rows; from then on its appends fail.
    const std::string report = wandb_test::in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{64 * 1024, 64 * 1024};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
        std::string out = "dir " + run.dir().string() + "\n";
        for (int i = 0; i < 140; ++i) {
            wandb::Row row{{"i", i}, {"a", masked(8, std::uint32_t(i))}};
            if (i % 20 == 7) row.emplace_back("big", wandb::Image(noise(160, 160, std::uint32_t(i))));
            const std::string o = wandb_test::outcome_of([&] { run.log(row); });
            out += o == "no exception" ? "ok " + std::to_string(i) + "\n" : "fail " + std::to_string(i) + " " + o + "\n";
        }
        out += "finish " + wandb_test::outcome_of([&] { run.finish(); }) + "\n";
        return out;
    });
    const auto lines = lines_of(report);
    REQUIRE(lines.size() == 142);
    REQUIRE(lines[0].rfind("dir ", 0) == 0);
    const fs::path dir = lines[0].substr(4);
    const fs::path log_path = wandb_test::find_log(dir);
    const std::string files = regex_escape((dir / "files").string());
    const std::regex media_full("fail \\d+ IoError: wandb::bind_to_run: cannot write " + files +
                                "/media/images/big_\\d+_[0-9a-f]{20}\\.png: File too large");
    const std::regex log_full("fail \\d+ IoError: wandb::LogWriter: cannot write " + regex_escape(log_path.string()) +
                              ": File too large");
    std::vector<int> ok;
    int media_failures = 0, log_failures = 0;
    for (std::size_t k = 1; k + 1 < lines.size(); ++k) {
        INFO(lines[k]);
        if (lines[k].rfind("ok ", 0) == 0) {
            ok.push_back(std::stoi(lines[k].substr(3)));
        } else if (std::regex_match(lines[k], media_full)) {
            ++media_failures;
        } else {
            CHECK(std::regex_match(lines[k], log_full));
            ++log_failures;
        }
    }
    CHECK(media_failures == 7);
    CHECK(log_failures > 0);
    CHECK(ok.size() > 40);
    CHECK((lines.back() == "finish no exception" ||
           lines.back() == "finish IoError: wandb::LogWriter: cannot write " + log_path.string() + ": File too large"));
    const auto log = wandb_test::read_back(log_path);
    CHECK_FALSE(log.problem);
    CHECK(logged_rows(log) == ok);  // exactly the completed rows, in order
    CHECK(wandb_test::run_problems(dir, log, true) == std::vector<std::string>{});
}

TEST_CASE("Disk full: a failed update_config, update_summary or log leaves no trace in config.yaml or the summary",
          "[faults]") {
    TempDir root;
    // Records of 70 KB cannot be appended under a 64 KiB file size limit; small ones still can.
    const std::string big(70000, 'x');
    const std::string report = wandb_test::in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{64 * 1024, 64 * 1024};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        auto options = wandb_test::quiet_run_options(root.path());
        options.config = {{"lr", 0.5}};
        wandb::OfflineRun run(options);
        std::string out = "dir " + run.dir().string() + "\n";
        out += "config " + wandb_test::outcome_of([&] { run.update_config({{"big", big}}); }) + "\n";
        out += "summary " + wandb_test::outcome_of([&] { run.update_summary({{"big", big}, {"best", 1}}); }) + "\n";
        out += "log " + wandb_test::outcome_of([&] { run.log({{"big", big}, {"loss", 9.0}}); }) + "\n";
        out += "small " + wandb_test::outcome_of([&] { run.log({{"loss", 0.25}}); }) + "\n";
        out += "finish " + wandb_test::outcome_of([&] { run.finish(); }) + "\n";
        return out;
    });
    const auto lines = lines_of(report);
    REQUIRE(lines.size() == 6);
    const fs::path dir = lines[0].substr(4);
    const std::string full = "IoError: wandb::LogWriter: cannot write " + wandb_test::find_log(dir).string() + ": File too large";
    CHECK(lines[1] == "config " + full);
    CHECK(lines[2] == "summary " + full);
    CHECK(lines[3] == "log " + full);
    CHECK(lines[4] == "small no exception");
    CHECK(lines[5] == "finish no exception");
    const auto yaml = wandb_test::read_bytes(dir / "files/config.yaml");
    CHECK(std::string(yaml.begin(), yaml.end()) == "lr:\n    value: 0.5\n");
    const auto summary = wandb::Json::parse(wandb_test::read_bytes(dir / "files/wandb-summary.json"));
    CHECK_FALSE(summary.contains("big"));
    CHECK_FALSE(summary.contains("best"));
    CHECK(summary["loss"] == 0.25);
    CHECK(summary["_step"] == 0);  // the failed log took no step
    const auto log = wandb_test::read_back(wandb_test::find_log(dir));
    CHECK_FALSE(log.problem);
    CHECK(log.of_kind("config").empty());
    CHECK(log.of_kind("history").size() == 1);
}

TEST_CASE("Unwritable media and files directories: the log throws IoError naming the file and writes nothing",
          "[faults]") {
    TempDir root;
    wandb_test::open_to_everyone(root.path());
    // As root, permissions do not apply: the run lives in a child that switched to "nobody".
    const std::string report = wandb_test::in_unprivileged_child([&] {
        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
        const fs::path files = run.files_dir();
        std::string out = "dir " + run.dir().string() + "\n";
        auto step = [&](const std::string& what, const std::function<void()>& body) {
            out += what + ": " + wandb_test::outcome_of(body) + "\n";
        };
        step("row 0", [&] { run.log({{"i", 0}, {"img", masked(8, 0)}}); });
        step("row 1", [&] { run.log({{"i", 1}, {"img", masked(8, 1)}}); });
        ::chmod((files / "media/images/mask").c_str(), 0555);
        step("row 2", [&] { run.log({{"i", 2}, {"img", masked(8, 2)}}); });  // its image is written, its mask not
        step("row 3", [&] { run.log({{"i", 3}}); });
        ::chmod((files / "media/images").c_str(), 0555);
        step("row 4", [&] { run.log({{"i", 4}, {"img", masked(8, 4)}}); });
        ::chmod((files / "media/images").c_str(), 0755);
        ::chmod((files / "media/images/mask").c_str(), 0755);
        step("row 5", [&] { run.log({{"i", 5}, {"img", masked(8, 5)}}); });
        ::chmod(files.c_str(), 0555);
        step("finish", [&] { run.finish(); });
        ::chmod(files.c_str(), 0755);
        return out;
    });
    const auto lines = lines_of(report);
    REQUIRE(lines.size() == 8);
    REQUIRE(lines[0].rfind("dir ", 0) == 0);
    const fs::path dir = lines[0].substr(4);
    const std::string files = regex_escape((dir / "files").string());
    CHECK(lines[1] == "row 0: no exception");
    CHECK(lines[2] == "row 1: no exception");
    // Row 2 is log call 2; row 3 takes call 2 again, so row 4 and 5 are call 3.
    CHECK(std::regex_match(lines[3], std::regex("row 2: IoError: wandb::bind_to_run: cannot write " + files +
                                                "/media/images/mask/img_2_[0-9a-f]{20}\\.mask\\.png: Permission denied")));
    CHECK(lines[4] == "row 3: no exception");
    CHECK(std::regex_match(lines[5], std::regex("row 4: IoError: wandb::bind_to_run: cannot write " + files +
                                                "/media/images/img_3_[0-9a-f]{20}\\.png: Permission denied")));
    CHECK(lines[6] == "row 5: no exception");
    CHECK(lines[7] == "finish: IoError: wandb::OfflineRun: cannot write " + (dir / "files/config.yaml").string() +
                          ": Permission denied");
    const auto log = wandb_test::read_back(wandb_test::find_log(dir));
    CHECK_FALSE(log.problem);
    CHECK(logged_rows(log) == std::vector<int>{0, 1, 3, 5});
    CHECK(log.of_kind("exit").size() == 1);  // finish wrote its records before config.yaml failed
    CHECK(wandb_test::run_problems(dir, log, true) == std::vector<std::string>{});
}

TEST_CASE("A run directory removed or moved away mid-run: logs throw IoError and nothing is recreated",
          "[faults]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"i", 0}, {"img", masked(8, 0)}});
    run.log({{"i", 1}, {"img", masked(8, 1)}});
    const std::string gone = "wandb::LogWriter: cannot write " + run.log_path().string() + ": No such file or directory";
    SECTION("removed") {
        fs::remove_all(run.dir());
        CHECK_THROWS_MATCHES(run.log({{"i", 2}}), wandb::IoError, Catch::Message(gone));
        CHECK_THROWS_MATCHES(run.log({{"i", 3}, {"img", masked(8, 3)}}), wandb::IoError, Catch::Message(gone));
        CHECK_FALSE(fs::exists(run.dir()));  // not recreated by the media writes
        CHECK_THROWS_MATCHES(run.update_summary({{"best", 1}}), wandb::IoError, Catch::Message(gone));
        CHECK_THROWS_MATCHES(run.finish(), wandb::IoError, Catch::Message(gone));
        CHECK_FALSE(fs::exists(run.dir()));
    }
    SECTION("moved away") {
        const fs::path moved = root / "moved";
        fs::rename(run.dir(), moved);
        CHECK_THROWS_MATCHES(run.log({{"i", 2}, {"img", masked(8, 2)}}), wandb::IoError, Catch::Message(gone));
        CHECK_THROWS_MATCHES(run.log({{"i", 3}}), wandb::IoError, Catch::Message(gone));
        CHECK_FALSE(fs::exists(run.dir()));
        CHECK_THROWS_MATCHES(run.finish(), wandb::IoError, Catch::Message(gone));
        // The moved directory holds the run up to the last completed log.
        const auto log = wandb_test::read_back(wandb_test::find_log(moved));
        CHECK_FALSE(log.problem);
        CHECK(logged_rows(log) == std::vector<int>{0, 1});
        CHECK(wandb_test::run_problems(moved, log, true) == std::vector<std::string>{});
    }
}

TEST_CASE("A directory in the way of a media file's name: the rename fails, the log throws, nothing is left",
          "[faults]") {
    // The names of row 1's files, learnt from a scratch run logging the same rows (names depend
    // only on the key, the log call and the bytes).
    std::string image_path, mask_path;
    {
        TempDir scratch;
        wandb::OfflineRun run(wandb_test::quiet_run_options(scratch.path()));
        run.log({{"i", 0}, {"img", masked(8, 0)}});
        run.log({{"i", 1}, {"img", masked(8, 1)}});
        run.finish();
        const auto value = wandb_test::item_value(wandb_test::read_back(run.log_path()).of_kind("history").at(1)["item"], "img");
        image_path = value["path"];
        mask_path = value["masks"]["pred"]["path"];
    }
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    const fs::path files = run.files_dir();
    run.log({{"i", 0}, {"img", masked(8, 0)}});
    fs::create_directories(files / mask_path);
    CHECK_THROWS_MATCHES(run.log({{"i", 1}, {"img", masked(8, 1)}}), wandb::IoError,
                         Catch::Message("wandb::bind_to_run: cannot rename a temporary file to " + (files / mask_path).string() +
                                        ": Is a directory"));
    CHECK_FALSE(fs::exists(files / image_path));  // written before the mask failed, removed again
    CHECK(wandb_test::run_problems(run.dir(), wandb_test::read_back(run.log_path()), true) == std::vector<std::string>{});
    fs::remove(files / mask_path);
    run.log({{"i", 1}, {"img", masked(8, 1)}});  // the same names: the failed call did not count
    CHECK(fs::exists(files / image_path));
    CHECK(fs::exists(files / mask_path));
    fs::create_directories(files / "config.yaml");
    CHECK_THROWS_MATCHES(run.finish(), wandb::IoError,
                         Catch::Message("wandb::OfflineRun: cannot rename a temporary file to " +
                                        (files / "config.yaml").string() + ": Is a directory"));
    const auto log = wandb_test::read_back(run.log_path());
    CHECK_FALSE(log.problem);
    CHECK(logged_rows(log) == std::vector<int>{0, 1});
    CHECK(log.of_kind("final").size() == 1);
    CHECK(wandb_test::run_problems(run.dir(), log, true) == std::vector<std::string>{});
}

TEST_CASE("A child logging images killed with SIGKILL at 50 random moments leaves a readable, consistent run",
          "[crash][long]") {
    // The seed is printed; rerun a failure with WANDB_TEST_SEED=<seed>.
    std::uint64_t seed = std::random_device{}();
    if (const char* env = std::getenv("WANDB_TEST_SEED")) seed = std::stoull(env);
    std::cout << "crash test seed: " << seed << std::endl;
    INFO("crash test seed: " << seed << " (set WANDB_TEST_SEED to repeat)");
    std::mt19937_64 random(seed);
    TempDir root;
    constexpr int kills = 50;
    std::size_t min_rows = SIZE_MAX, max_rows = 0, truncated = 0;
    for (int k = 0; k < kills; ++k) {
        const fs::path dir = root / ("kill" + std::to_string(k));
        fs::create_directories(dir);
        int ready[2];
        REQUIRE(::pipe(ready) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(ready[0]);
            try {
                auto options = wandb_test::quiet_run_options(dir);
                options.media_threads = 2;
                wandb::OfflineRun run(options);
                (void)!::write(ready[1], "r", 1);
                for (std::uint32_t i = 0;; ++i) {
                    wandb::Row row{{"i", int(i)}, {"img", masked(8 + (i * 5) % 40, i)}};
                    if (i % 5 == 2) row.emplace_back("list", std::vector<wandb::Image>{masked(8, i), masked(12, i + 1)});
                    if (i % 7 == 3) row.emplace_back("notes", std::string(40000 + i % 3000, 'n'));  // spans blocks
                    run.log(row);
                    if (i % 11 == 0) run.update_summary({{"best", int(i)}});
                    (void)!::write(ready[1], "l", 1);  // one byte per row logged
                }
            } catch (...) {
            }
            ::_exit(3);
        }
        ::close(ready[1]);
        // The moment: after a random number of rows (0..30), then a random delay of 0..3 ms, so
        // that kills land at every point of a log call whatever the speed of the build.
        char byte = 0;
        const bool started = ::read(ready[0], &byte, 1) == 1;  // the run exists and logs from now on
        const int rows_first = std::uniform_int_distribution<int>(0, 30)(random);
        for (int r = 0; r < rows_first && ::read(ready[0], &byte, 1) == 1;) ++r;
        const auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(random));
        std::this_thread::sleep_for(delay);
        ::kill(child, SIGKILL);
        ::close(ready[0]);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        INFO("kill " << k << " after " << rows_first << " rows and " << delay.count() << " us");
        REQUIRE(started);
        REQUIRE(WIFSIGNALED(status));
        const fs::path run_dir = wandb_test::find_run_dir(dir);
        const auto log = wandb_test::read_back(wandb_test::find_log(run_dir));
        if (log.problem) {
            CHECK(log.problem->kind == wandb::LogProblem::Kind::truncated_tail);
            ++truncated;
        }
        const auto rows = logged_rows(log);
        CHECK(rows.size() >= std::size_t(rows_first));  // every row reported logged is in the log
        for (std::size_t r = 0; r < rows.size(); ++r) CHECK(rows[r] == int(r));  // no gap, no repeat
        CHECK(wandb_test::run_problems(run_dir, log, false) == std::vector<std::string>{});
        min_rows = std::min(min_rows, rows.size());
        max_rows = std::max(max_rows, rows.size());
        fs::remove_all(dir);
    }
    std::cout << "crash test: " << kills << " kills, " << min_rows << ".." << max_rows
              << " complete rows read back per run, " << truncated << " logs ended in a truncated tail" << std::endl;
}
