// Fault injection and crashes: a full disk (a file size limit), unwritable and vanished run
// directories, a rename that fails, and a child killed with SIGKILL at random moments. Each
// `log` must either complete or throw wandb::IoError naming the path and the system's reason;
// afterwards the `.wandb` log reads back whole up to the last completed `log`, every media file
// a history record names is there with its sha256, and a failed `log` leaves nothing behind (no
// temporary file, no media file that no history record names).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
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

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_faults {

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
    const std::regex media_full("fail \\d+ IoError: wandb::OfflineRun::log: cannot write " + files +
                                "/media/images/big_\\d+_[0-9a-f]{20}\\.png: File too large");
    const std::regex log_full("fail \\d+ IoError: wandb::OfflineRun::log: cannot write " + regex_escape(log_path.string()) +
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
           lines.back() == "finish IoError: wandb::OfflineRun::finish: cannot write " + log_path.string() + ": File too large"));
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
    const std::string full = "cannot write " + wandb_test::find_log(dir).string() + ": File too large";
    CHECK(lines[1] == "config IoError: wandb::OfflineRun::update_config: " + full);
    CHECK(lines[2] == "summary IoError: wandb::OfflineRun::update_summary: " + full);
    CHECK(lines[3] == "log IoError: wandb::OfflineRun::log: " + full);
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
    CHECK(std::regex_match(lines[3], std::regex("row 2: IoError: wandb::OfflineRun::log: cannot write " + files +
                                                "/media/images/mask/img_2_[0-9a-f]{20}\\.mask\\.png: Permission denied")));
    CHECK(lines[4] == "row 3: no exception");
    CHECK(std::regex_match(lines[5], std::regex("row 4: IoError: wandb::OfflineRun::log: cannot write " + files +
                                                "/media/images/img_3_[0-9a-f]{20}\\.png: Permission denied")));
    CHECK(lines[6] == "row 5: no exception");
    CHECK(lines[7] == "finish: IoError: wandb::OfflineRun::finish: cannot write " + (dir / "files/config.yaml").string() +
                          ": Permission denied");
    const auto log = wandb_test::read_back(wandb_test::find_log(dir));
    CHECK_FALSE(log.problem);
    CHECK(logged_rows(log) == std::vector<int>{0, 1, 3, 5});
    CHECK(log.of_kind("exit").size() == 1);  // the failed finish wrote none; the destructor's did
    CHECK(wandb_test::run_problems(dir, log, true) == std::vector<std::string>{});
}

TEST_CASE("A run directory removed or moved away mid-run: logs throw IoError and nothing is recreated",
          "[faults]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"i", 0}, {"img", masked(8, 0)}});
    run.log({{"i", 1}, {"img", masked(8, 1)}});
    const std::string gone = "cannot write " + run.log_path().string() + ": No such file or directory";
    const std::string log_gone = "wandb::OfflineRun::log: " + gone, finish_gone = "wandb::OfflineRun::finish: " + gone;
    SECTION("removed") {
        fs::remove_all(run.dir());
        CHECK_THROWS_MATCHES(run.log({{"i", 2}}), wandb::IoError, Catch::Message(log_gone));
        CHECK_THROWS_MATCHES(run.log({{"i", 3}, {"img", masked(8, 3)}}), wandb::IoError, Catch::Message(log_gone));
        CHECK_FALSE(fs::exists(run.dir()));  // not recreated by the media writes
        CHECK_THROWS_MATCHES(run.update_summary({{"best", 1}}), wandb::IoError,
                             Catch::Message("wandb::OfflineRun::update_summary: " + gone));
        CHECK_THROWS_MATCHES(run.finish(), wandb::IoError, Catch::Message(finish_gone));
        CHECK_FALSE(fs::exists(run.dir()));
    }
    SECTION("moved away") {
        const fs::path moved = root / "moved";
        fs::rename(run.dir(), moved);
        CHECK_THROWS_MATCHES(run.log({{"i", 2}, {"img", masked(8, 2)}}), wandb::IoError, Catch::Message(log_gone));
        CHECK_THROWS_MATCHES(run.log({{"i", 3}}), wandb::IoError, Catch::Message(log_gone));
        CHECK_FALSE(fs::exists(run.dir()));
        CHECK_THROWS_MATCHES(run.finish(), wandb::IoError, Catch::Message(finish_gone));
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
                         Catch::Message("wandb::OfflineRun::log: cannot rename a temporary file to " + (files / mask_path).string() +
                                        ": Is a directory"));
    CHECK_FALSE(fs::exists(files / image_path));  // written before the mask failed, removed again
    CHECK(wandb_test::run_problems(run.dir(), wandb_test::read_back(run.log_path()), true) == std::vector<std::string>{});
    fs::remove(files / mask_path);
    run.log({{"i", 1}, {"img", masked(8, 1)}});  // the same names: the failed call did not count
    CHECK(fs::exists(files / image_path));
    CHECK(fs::exists(files / mask_path));
    fs::create_directories(files / "config.yaml");
    CHECK_THROWS_MATCHES(run.finish(), wandb::IoError,
                         Catch::Message("wandb::OfflineRun::finish: cannot rename a temporary file to " +
                                        (files / "config.yaml").string() + ": Is a directory"));
    auto log = wandb_test::read_back(run.log_path());
    CHECK_FALSE(log.problem);
    CHECK(logged_rows(log) == std::vector<int>{0, 1});
    CHECK(log.of_kind("final").empty());  // the failed finish wrote nothing: it can be retried
    CHECK_FALSE(fs::exists(files / "wandb-summary.json"));
    fs::remove(files / "config.yaml");
    run.finish();
    log = wandb_test::read_back(run.log_path());
    CHECK(log.of_kind("exit").size() == 1);
    CHECK(log.of_kind("final").size() == 1);
    CHECK(fs::is_regular_file(files / "config.yaml"));
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
                    if (i % 5 == 2) row.emplace_back("list", std::vector<wandb::Image>{masked(8, i), masked(8, i + 1)});  // a list has one size
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

// --- Issue 11: threads that cannot start, finish that can be retried, directories that cannot be
// searched, a deleted current directory, environments that are not UTF-8 ------------------------

TEST_CASE("Worker threads that cannot be created: the run encodes on the calling thread instead of aborting",
          "[faults][threads]") {
    TempDir root;
    wandb_test::open_to_everyone(root.path());
    // As "nobody" (RLIMIT_NPROC does not bind root) with a limit of one task: this process. Every
    // pthread_create fails with EAGAIN; std::thread throws std::system_error.
    const std::string report = wandb_test::in_unprivileged_child([&] {
        const rlimit one{1, 1};
        if (::setrlimit(RLIMIT_NPROC, &one) != 0) return std::string("setrlimit failed: ") + std::strerror(errno);
        if (std::thread probe = [] {
                try {
                    return std::thread([] {});
                } catch (const std::system_error&) {
                    return std::thread();
                }
            }();
            probe.joinable()) {
            probe.join();
            return std::string("a thread could still be created under RLIMIT_NPROC 1");
        }
        auto options = wandb_test::quiet_run_options(root.path());
        options.media_threads = 8;
        wandb::OfflineRun run(options);
        std::string out = "threads " + std::to_string(run.media_threads()) + "\n";
        for (int i = 0; i < 3; ++i)
            out += wandb_test::outcome_of([&] { run.log({{"i", i}, {"a", masked(16, std::uint32_t(i))}, {"b", masked(8, 9)}}); }) + "\n";
        out += wandb_test::outcome_of([&] { run.finish(); }) + "\n";
        out += "dir " + run.dir().string() + "\n";
        return out;
    });
    const auto lines = lines_of(report);
    REQUIRE(lines.size() == 6);
    CHECK(lines[0] == "threads 1");
    for (int i = 1; i <= 4; ++i) CHECK(lines[std::size_t(i)] == "no exception");
    const fs::path dir = lines[5].substr(4);
    const auto log = wandb_test::read_back(wandb_test::find_log(dir));
    CHECK_FALSE(log.problem);
    CHECK(logged_rows(log) == std::vector<int>{0, 1, 2});
    CHECK(wandb_test::run_problems(dir, log, true) == std::vector<std::string>{});
}

TEST_CASE("finish on a full disk fails whole and can be retried; the destructor retries once more",
          "[faults][finish]") {
    TempDir root;
    // In a child: once the run has logged, the file size limit is set just above the log's size,
    // so config.yaml and wandb-summary.json (small files of their own) can be written but the
    // Exit and Final records cannot be appended. Then the limit is lifted.
    const std::string report = wandb_test::in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        auto options = wandb_test::quiet_run_options(root.path());
        options.config = {{"lr", 0.5}};
        std::string out;
        {
            wandb::OfflineRun run(options);
            out += "dir " + run.dir().string() + "\n";
            run.log({{"loss", 0.25}, {"img", wandb::Image(noise(8, 8, 1))}});
            const auto size = fs::file_size(run.log_path());
            const rlimit tight{rlim_t(size + 5), RLIM_INFINITY};
            ::setrlimit(RLIMIT_FSIZE, &tight);
            out += "finish 1: " + wandb_test::outcome_of([&] { run.finish(3); }) + "\n";
            out += std::string("after 1: ") + (fs::exists(run.files_dir() / "config.yaml") ? "yaml " : "") +
                   (fs::exists(run.files_dir() / "wandb-summary.json") ? "summary " : "") +
                   std::to_string(fs::file_size(run.log_path()) - size) + " bytes added\n";
            out += "finish 2: " + wandb_test::outcome_of([&] { run.finish(3); }) + "\n";
            const rlimit open{RLIM_INFINITY, RLIM_INFINITY};
            ::setrlimit(RLIMIT_FSIZE, &open);
            out += "finish 3: " + wandb_test::outcome_of([&] { run.finish(3); }) + "\n";
            out += "finish 4: " + wandb_test::outcome_of([&] { run.finish(5); }) + "\n";  // done: nothing more
        }
        {
            options.run_id = "second";
            wandb::OfflineRun run(options);
            out += "dir " + run.dir().string() + "\n";
            run.log({{"loss", 0.5}});
            const rlimit tight{rlim_t(fs::file_size(run.log_path()) + 5), RLIM_INFINITY};
            ::setrlimit(RLIMIT_FSIZE, &tight);
            out += "finish: " + wandb_test::outcome_of([&] { run.finish(2); }) + "\n";
            const rlimit open{RLIM_INFINITY, RLIM_INFINITY};
            ::setrlimit(RLIMIT_FSIZE, &open);
        }  // the destructor finishes the run
        return out;
    });
    const auto lines = lines_of(report);
    REQUIRE(lines.size() == 8);
    const fs::path dir = lines[0].substr(4);
    const fs::path log_path = wandb_test::find_log(dir);
    const std::string full = "IoError: wandb::OfflineRun::finish: cannot write " + log_path.string() + ": File too large";
    CHECK(lines[1] == "finish 1: " + full);
    CHECK(lines[2] == "after 1: 0 bytes added");  // all or nothing: neither file, no record
    CHECK(lines[3] == "finish 2: " + full);
    CHECK(lines[4] == "finish 3: no exception");
    CHECK(lines[5] == "finish 4: no exception");
    auto log = wandb_test::read_back(log_path);
    CHECK_FALSE(log.problem);
    REQUIRE(log.of_kind("exit").size() == 1);
    CHECK(log.of_kind("exit")[0]["exit_code"] == 3);
    CHECK(log.of_kind("final").size() == 1);
    const auto yaml = wandb_test::read_bytes(dir / "files/config.yaml");
    CHECK(std::string(yaml.begin(), yaml.end()) == "lr:\n    value: 0.5\n");
    CHECK(wandb::Json::parse(wandb_test::read_bytes(dir / "files/wandb-summary.json"))["loss"] == 0.25);
    CHECK(wandb_test::run_problems(dir, log, true) == std::vector<std::string>{});

    const fs::path second = lines[6].substr(4);
    CHECK(lines[7] == "finish: IoError: wandb::OfflineRun::finish: cannot write " + wandb_test::find_log(second).string() +
                          ": File too large");
    log = wandb_test::read_back(wandb_test::find_log(second));
    CHECK_FALSE(log.problem);
    CHECK(log.of_kind("exit").size() == 1);  // written by the destructor (exit code 0: no exception unwinding)
    CHECK(log.of_kind("final").size() == 1);
    CHECK(fs::exists(second / "files/config.yaml"));
    CHECK(fs::exists(second / "files/wandb-summary.json"));
}

TEST_CASE("A failed log removes the directories it created along with its files", "[faults]") {
    TempDir root;
    const std::string report = wandb_test::in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
        const rlimit limit{32 * 1024, RLIM_INFINITY};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        std::string out = "dir " + run.dir().string() + "\n";
        // The mask (small) is written below media/images/mask/val/, then the noise image (~77 KB) fails.
        out += wandb_test::outcome_of([&] {
                   run.log({{"val/seg", masked(8, 1)}, {"val/big", wandb::Image(noise(160, 160, 2))}});
               }) + "\n";
        // A table whose image cannot be staged.
        wandb::Table table({"img"});
        table.add_data({wandb::Image(noise(160, 160, 3))});
        out += wandb_test::outcome_of([&] { run.log({{"tables/t", table}}); }) + "\n";
        return out;
    });
    const auto lines = lines_of(report);
    REQUIRE(lines.size() == 3);
    const fs::path dir = lines[0].substr(4);
    CHECK(lines[1].rfind("IoError: wandb::OfflineRun::log: cannot write " + (dir / "files/media/images/val/big_0_").string(), 0) == 0);
    CHECK(lines[2].rfind("IoError: wandb::OfflineRun::log: cannot write " + (dir / "artifacts/staging/").string(), 0) == 0);
    // What is left: the run's own files (finished by the destructor), no media, no staging.
    CHECK(wandb_test::all_files(dir) == std::vector<std::string>{"files/config.yaml", "files/wandb-metadata.json",
                                                                 "files/wandb-summary.json",
                                                                 wandb_test::find_log(dir).filename().string()});
    CHECK_FALSE(fs::exists(dir / "files/media"));
    CHECK_FALSE(fs::exists(dir / "artifacts"));
}

TEST_CASE("Directories that cannot be searched: every public entry point throws IoError or ValidationError",
          "[faults][permissions]") {
    TempDir root;
    wandb_test::open_to_everyone(root.path());
    const std::string report = wandb_test::in_unprivileged_child([&] {
        std::string out;
        auto step = [&](const std::string& what, const std::function<void()>& body) {
            out += what + ": " + wandb_test::outcome_of(body) + "\n";
        };
        const fs::path closed = root / "closed";
        fs::create_directories(closed);
        wandb_test::write_bytes(closed / "m.png", wandb_test::make_gray_png(2, 2, {0, 1, 1, 0}));
        ::chmod(closed.c_str(), 0600);  // readable listing, no search
        step("ImageMask", [&] { wandb::ImageMask mask(closed / "m.png"); });
        step("Image", [&] { wandb::Image image(closed / "m.png"); });
        step("RunLogReader", [&] { wandb::RunLogReader reader((closed / "run-x.wandb").string()); });
        step("OfflineRun", [&] { wandb::OfflineRun run(wandb_test::quiet_run_options(closed)); });

        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
        const fs::path files = run.files_dir();
        out += "dir " + run.dir().string() + "\n";
        run.log({{"img", masked(8, 0)}});
        ::chmod((files / "media/images").c_str(), 0600);
        step("log", [&] { run.log({{"img", masked(8, 1)}}); });
        ::chmod((files / "media/images").c_str(), 0755);
        ::chmod(run.dir().c_str(), 0600);
        step("update_config", [&] { run.update_config({{"a", 1}}); });
        step("update_summary", [&] { run.update_summary({{"a", 1}}); });
        wandb::Table table({"x"});
        table.add_data({1});
        step("log table", [&] { run.log({{"t", table}}); });
        step("finish", [&] { run.finish(); });
        ::chmod(run.dir().c_str(), 0755);
        step("finish again", [&] { run.finish(); });
        return out;
    });
    const auto lines = lines_of(report);
    REQUIRE(lines.size() == 11);
    const std::string closed = (root / "closed").string();
    const std::string denied = ": Permission denied";
    CHECK(lines[0] == "ImageMask: ValidationError: wandb::ImageMask: cannot read mask file " + closed + "/m.png" + denied);
    CHECK(lines[1] == "Image: ValidationError: wandb::Image: cannot read image file " + closed + "/m.png" + denied);
    CHECK(lines[2] == "RunLogReader: IoError: wandb::RunLogReader: cannot open " + closed + "/run-x.wandb" + denied);
    CHECK(lines[3].rfind("OfflineRun: IoError: wandb::OfflineRun: cannot create directory " + closed + "/wandb/offline-run-", 0) == 0);
    CHECK(lines[3].size() > denied.size());
    CHECK(lines[3].substr(lines[3].size() - denied.size()) == denied);
    REQUIRE(lines[4].rfind("dir ", 0) == 0);
    const fs::path dir = lines[4].substr(4);
    const std::string files = regex_escape((dir / "files").string());
    CHECK(std::regex_match(lines[5], std::regex("log: IoError: wandb::OfflineRun::log: cannot write " + files +
                                                "/media/images/img_1_[0-9a-f]{20}\\.png: Permission denied")));
    const std::string log = wandb_test::find_log(dir).string();
    CHECK(lines[6] == "update_config: IoError: wandb::OfflineRun::update_config: cannot write " + log + denied);
    CHECK(lines[7] == "update_summary: IoError: wandb::OfflineRun::update_summary: cannot write " + log + denied);
    CHECK(lines[8] == "log table: IoError: wandb::OfflineRun::log: cannot write " + log + denied);
    CHECK(lines[9] == "finish: IoError: wandb::OfflineRun::finish: cannot write " + log + denied);
    CHECK(lines[10] == "finish again: no exception");
    const auto read = wandb_test::read_back(wandb_test::find_log(dir));
    CHECK_FALSE(read.problem);
    CHECK(read.of_kind("history").size() == 1);
    CHECK(read.of_kind("exit").size() == 1);
    CHECK(wandb_test::run_problems(dir, read, true) == std::vector<std::string>{});
}

TEST_CASE("A current directory that was deleted: the constructor throws IoError and creates nothing", "[faults]") {
    TempDir root;
    const std::string report = wandb_test::in_child([&] {
        const fs::path gone = root / "gone";
        fs::create_directories(gone);
        if (::chdir(gone.c_str()) != 0) return std::string("chdir failed");
        fs::remove(gone);
        ::unsetenv("WANDB_DIR");
        wandb::OfflineRunOptions options;
        options.quiet = true;
        return wandb_test::outcome_of([&] { wandb::OfflineRun run(options); });
    });
    CHECK(report == "IoError: wandb::OfflineRun: cannot find the current directory: No such file or directory");
    CHECK(wandb_test::all_files(root.path()).empty());
}

namespace {
constexpr const char* non_utf8_child_test = "Non-UTF-8 environment: the child process";
}  // namespace

TEST_CASE(non_utf8_child_test, "[.]") {
    if (!std::getenv("WANDB_TEST_NON_UTF8_CHILD")) {
        SUCCEED("nothing to do outside the test that starts this process");
        return;
    }
    wandb::OfflineRunOptions options;  // root: the current directory, which is not UTF-8
    options.quiet = true;
    options.project = "reliability";
    wandb::OfflineRun run(options);
    run.log({{"loss", 0.5}, {"img", masked(8, 4)}});
    run.update_config({{"lr", 0.1}});
    CHECK_NOTHROW(run.finish());
}

TEST_CASE("A process whose arguments, current directory and host name are not UTF-8 starts and finishes a run",
          "[faults][utf8]") {
    TempDir root;
    // Latin-1 names: "répertoire" (0xE9), the argument "café.csv", the host "hôte" (0xF4).
    const fs::path cwd = root / "r\xe9pertoire";
    fs::create_directories(cwd);
    const bool as_root = ::geteuid() == 0;
    if (!as_root) WARN("not root: the host name cannot be changed (no UTS namespace), so only argv and cwd are tested");
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        if (::chdir(cwd.c_str()) != 0) ::_exit(90);
        if (as_root && (::unshare(CLONE_NEWUTS) != 0 || ::sethostname("h\xf4te", 5) != 0)) ::_exit(91);
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        // Catch joins extra arguments into one test name; the Latin-1 one goes to --name (the
        // name of the test run), which changes nothing.
        char arg0[] = "wandb_imagemask_tests";
        char arg1[] = "--name";
        char arg2[] = "caf\xe9.csv";
        std::string test = non_utf8_child_test;
        char* argv[] = {arg0, arg1, arg2, test.data(), nullptr};
        char env0[] = "WANDB_TEST_NON_UTF8_CHILD=1";
        char* envp[] = {env0, nullptr};
        ::execve("/proc/self/exe", argv, envp);
        ::_exit(92);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) < 90);
    const fs::path dir = wandb_test::find_run_dir(cwd);
    REQUIRE_FALSE(dir.empty());
    const auto log = wandb_test::read_back(wandb_test::find_log(dir));
    CHECK_FALSE(log.problem);
    CHECK(logged_rows(log).empty());  // no "i"; the row is there:
    CHECK(log.of_kind("history").size() == 1);
    CHECK(log.of_kind("exit").size() == 1);
    CHECK(wandb_test::run_problems(dir, log, true) == std::vector<std::string>{});
    // Each invalid byte became U+FFFD (EF BF BD), as Python's errors="replace" decodes them.
    const auto metadata = wandb::Json::parse(wandb_test::read_bytes(dir / "files/wandb-metadata.json"));
    CHECK(metadata["args"] == wandb::Json::array({"--name", "caf\xef\xbf\xbd.csv", non_utf8_child_test}));
    CHECK(metadata["root"] == (root / "r\xef\xbf\xbdpertoire").string());
    if (as_root) {
        CHECK(metadata["host"] == "h\xef\xbf\xbdte");
        REQUIRE(log.of_kind("run").size() == 1);
        CHECK(log.of_kind("run")[0]["host"] == "h\xef\xbf\xbdte");
    }
}

}  // namespace test_faults
