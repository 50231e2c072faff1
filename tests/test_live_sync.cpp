// Tests for the live-sync companion (detail/live_sync.hpp) and its place in an OfflineRun. W&B's
// CLI is replaced by tests/tools/fake_wandb/wandb, a script that accepts only `wandb beta sync
// --live DIR` and, in its "follow" mode, execs follow_log: that follows the run's log with
// RunLogReader::follow (as W&B's --live reader follows it) and writes every record it sees with the
// CLOCK_MONOTONIC time it saw it, which the test compares with the times of its own log calls.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <wandb/detail/live_sync.hpp>
#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/spawn_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_live_sync {

namespace d = wandb::detail;
namespace fs = std::filesystem;
using wandb_test::TempDir;
using namespace std::chrono_literals;

namespace {

const std::string fake_wandb = std::string(WANDB_TEST_FAKE_WANDB_DIR) + "/wandb";

/// Tells the fake `wandb` of runs below `root` what to do.
void configure_fake(const fs::path& root, const std::string& mode) {
    wandb_test::write_text(root / "fake-wandb.conf",
                           "follower='" + std::string(WANDB_TEST_FOLLOW_LOG) + "'\nmode=" + mode + "\n");
}

/// Everything written to std::cerr while it lives. Create it before the run and destroy it after:
/// the run's threads write to std::cerr too.
class CaptureStderr {
public:
    CaptureStderr() : old_(std::cerr.rdbuf(text_.rdbuf())) {}
    ~CaptureStderr() { std::cerr.rdbuf(old_); }
    std::string text() const { return text_.str(); }

private:
    std::stringstream text_;
    std::streambuf* old_;
};

long long now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// The JSON lines follow_log wrote.
std::vector<wandb::Json> events(const fs::path& file) {
    std::vector<wandb::Json> out;
    std::istringstream in(wandb_test::file_text(file));
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(wandb::Json::parse(line));
    return out;
}

bool saw_step(const fs::path& file, std::int64_t step) {
    for (const auto& e : events(file))
        if (e["event"] == "record" && e["kind"] == "history" && e["step"] == step) return true;
    return false;
}

wandb::OfflineRunOptions live_options(const fs::path& root, const std::string& executable = fake_wandb) {
    auto options = wandb_test::quiet_run_options(root);
    options.live_sync = true;
    options.live_sync_executable = executable;
    options.system_metrics = false;
    return options;
}

/// The pid the fake `wandb` printed to live-sync.log ("fake wandb: pid N, ..."), or -1.
pid_t fake_pid(const fs::path& run_dir) {
    const std::string log = wandb_test::file_text(run_dir / "logs/live-sync.log");
    const auto at = log.find("fake wandb: pid ");
    return at == std::string::npos ? -1 : static_cast<pid_t>(std::atoi(log.c_str() + at + 16));
}

}  // namespace

TEST_CASE("A run with live sync on is seen record by record while it logs, and finish waits for the uploader",
          "[live_sync][threads]") {
    TempDir tmp;
    configure_fake(tmp.path(), "follow");
    auto options = live_options(tmp.path());
    options.quiet = false;
    options.system_metrics = true;
    options.system_metrics_interval = 100ms;
    constexpr int rows = 20;
    std::vector<long long> logged(rows);
    long long finish_called = 0, finish_returned = 0;
    fs::path dir;
    std::string run_id;
    std::string err;
    {
        CaptureStderr capture;
        {
            wandb::OfflineRun run(options);
            dir = run.dir();
            run_id = run.id();
            for (int step = 0; step < rows; ++step) {
                run.log({{"loss", 1.0 / (step + 1)}, {"epoch", step / 5}});
                logged[static_cast<std::size_t>(step)] = now_ns();
                std::this_thread::sleep_for(40ms);
            }
            // Give the uploader time to see the last row too before the run ends.
            CHECK(wandb_test::eventually([&] { return saw_step(tmp / "fake-wandb.jsonl", rows - 1); }, 20s));
            finish_called = now_ns();
            run.finish();
            finish_returned = now_ns();
        }
        err = capture.text();
    }
    const auto log = wandb_test::read_back(dir / ("run-" + run_id + ".wandb"));
    REQUIRE_FALSE(log.problem);
    const auto seen = events(tmp / "fake-wandb.jsonl");
    REQUIRE(seen.size() >= 3);

    // The uploader is a direct child of this process, in a process group of its own.
    REQUIRE(seen.front()["event"] == "start");
    const pid_t pid = seen.front()["pid"].get<pid_t>();
    CHECK(seen.front()["ppid"] == ::getpid());
    CHECK(seen.front()["pgid"] == pid);

    // Every record up to the Exit record, in order; the Final record only if it came in time.
    const auto exit_index = static_cast<std::size_t>(
        std::find_if(log.records.begin(), log.records.end(), [](const wandb::Json& r) { return r.contains("exit"); }) -
        log.records.begin());
    std::vector<std::int64_t> written, read;
    std::map<std::int64_t, long long> seen_at_step;
    long long last_before_exit = 0, stats_seen_before_finish = 0;
    for (const auto& r : log.records) written.push_back(r["num"].get<std::int64_t>());
    // finish appends the runtime Summary, Exit and Final records in one write: they come after.
    const std::int64_t finish_first = written.at(exit_index) - 1;
    for (const auto& e : seen) {
        if (e["event"] != "record") continue;
        read.push_back(e["num"].get<std::int64_t>());
        const long long t = e["t"].get<long long>();
        if (e["kind"] == "history") seen_at_step[e["step"].get<std::int64_t>()] = t;
        if (e["kind"] == "stats" && t < finish_called) ++stats_seen_before_finish;
        // Stats records come from the sampler at any time, the last one as finish stops it.
        if (e["kind"] != "stats" && e["num"].get<std::int64_t>() < finish_first)
            last_before_exit = std::max(last_before_exit, t);
    }
    REQUIRE(exit_index < written.size());
    REQUIRE(read.size() >= exit_index + 1);
    CHECK(std::vector<std::int64_t>(read.begin(), read.begin() + static_cast<std::ptrdiff_t>(exit_index + 1)) ==
          std::vector<std::int64_t>(written.begin(), written.begin() + static_cast<std::ptrdiff_t>(exit_index + 1)));
    CHECK(read.size() <= written.size());
    CHECK(last_before_exit < finish_called);  // every record the run wrote before finish was read while it ran
    CHECK(stats_seen_before_finish >= 1);     // Stats records too
    REQUIRE(seen_at_step.size() == static_cast<std::size_t>(rows));
    for (int step = 0; step + 3 < rows; ++step) {  // and while it was still logging, not at the end
        CAPTURE(step, (seen_at_step[step] - logged[static_cast<std::size_t>(step)]) / 1000000);
        CHECK(seen_at_step[step] < logged[rows - 1]);
    }

    // finish waited for the uploader: it read the Exit record, ended, and was reaped.
    REQUIRE(seen.back()["event"] == "end");
    CHECK(seen.back()["exit_seen"] == true);
    CHECK(seen.back()["t"].get<long long>() < finish_returned);
    CHECK((::kill(pid, 0) != 0 && errno == ESRCH));
    const std::string output = wandb_test::file_text(dir / "logs/live-sync.log");
    CHECK(output == "fake wandb: pid " + std::to_string(pid) + ", mode follow, following " + dir.string() +
                        "\nfollow_log: read the log up to its Exit record\n");
    CHECK(err == "wandb: offline run " + run_id + " finished; upload it with:\nwandb: wandb sync " + dir.string() +
                     "\nwandb: live sync of run " + run_id + " ended: exit status 0 (output: " + dir.string() +
                     "/logs/live-sync.log)\n");
}

TEST_CASE("Live sync with wandb missing is one warning, and the run is written as usual", "[live_sync]") {
    TempDir tmp;
    const auto options = live_options(tmp.path(), "wandb-imagemask-test-no-such-program");
    std::string err;
    fs::path dir;
    {
        CaptureStderr capture;
        {
            wandb::OfflineRun run(options);
            dir = run.dir();
            run.log({{"loss", 0.5}});
            run.finish();
        }
        err = capture.text();
    }
    const char* path = std::getenv("PATH");
    CHECK(err ==
          "wandb: warning: live sync is on but cannot start `wandb-imagemask-test-no-such-program beta sync "
          "--live " +
              dir.string() + "`: \"wandb-imagemask-test-no-such-program\" is not on PATH (" +
              std::string(path ? path : "/bin:/usr/bin") +
              "); the run is written offline only; upload it with: wandb sync " + dir.string() + "\n");
    CHECK_FALSE(fs::exists(dir / "logs"));
    const auto log = wandb_test::read_back(wandb_test::find_log(dir));
    CHECK(log.of_kind("history").size() == 1);
    CHECK(log.of_kind("exit").size() == 1);
}

TEST_CASE("An uploader that fails while the run goes on is one warning", "[live_sync][threads]") {
    TempDir tmp;
    configure_fake(tmp.path(), "fail");
    std::string err;
    fs::path dir;
    std::string id;
    {
        CaptureStderr capture;
        {
            wandb::OfflineRun run(live_options(tmp.path()));
            dir = run.dir();
            id = run.id();
            pid_t pid = -1;
            REQUIRE(wandb_test::eventually([&] { return (pid = fake_pid(dir)) > 0; }, 20s));
            // Reaped by the run: its warning is being written; finish then waits for that.
            REQUIRE(wandb_test::eventually([&] { return !fs::exists("/proc/" + std::to_string(pid)); }, 20s));
            run.log({{"loss", 0.5}});
            run.finish();
        }
        err = capture.text();
    }
    CHECK(err == "wandb: warning: live sync of run " + id +
                     " ended while the run was still being written (exit status 3); see " + dir.string() +
                     "/logs/live-sync.log; upload the run with: wandb sync " + dir.string() + "\n");
    CHECK(wandb_test::file_text(dir / "logs/live-sync.log").find("fake wandb: failing on purpose\n") !=
          std::string::npos);
    CHECK(wandb_test::read_back(wandb_test::find_log(dir)).of_kind("history").size() == 1);
}

TEST_CASE("An uploader still running live_sync_timeout after finish is stopped with SIGTERM", "[live_sync][threads]") {
    TempDir tmp;
    configure_fake(tmp.path(), "hang");
    auto options = live_options(tmp.path());
    options.live_sync_timeout = 200ms;
    std::string err;
    fs::path dir;
    std::string id;
    pid_t pid = -1;
    std::chrono::steady_clock::duration took{};
    {
        CaptureStderr capture;
        {
            wandb::OfflineRun run(options);
            dir = run.dir();
            id = run.id();
            REQUIRE(wandb_test::eventually([&] { return (pid = fake_pid(dir)) > 0; }, 20s));
            const auto start = std::chrono::steady_clock::now();
            run.finish();
            took = std::chrono::steady_clock::now() - start;
        }
        err = capture.text();
    }
    CHECK(took >= 200ms);
    CHECK(took < 5s);  // SIGTERM ended it: no wait for the SIGKILL grace
    CHECK(err == "wandb: warning: live sync of run " + id +
                     " had not ended 200 ms after the run finished; stopped it with SIGTERM; upload the rest with: "
                     "wandb sync " +
                     dir.string() + "\n");
    CHECK((::kill(pid, 0) != 0 && errno == ESRCH));
}

TEST_CASE("An uploader that ignores SIGTERM is killed after the grace period", "[live_sync][threads]") {
    TempDir tmp;
    configure_fake(tmp.path(), "stubborn");
    const fs::path run_dir = tmp / "wandb/offline-run-x";
    fs::create_directories(run_dir);
    std::vector<std::string> warnings, notes;
    d::LiveSyncSettings s;
    s.executable = fake_wandb;
    s.run_dir = run_dir;
    s.output = run_dir / "logs/live-sync.log";
    s.label = "live sync of run x";
    s.fallback = "wandb sync " + run_dir.string();
    s.kill_grace = 300ms;
    pid_t pid = -1;
    {
        d::LiveSync live(
            s, [&](const std::string& w) { warnings.push_back(w); }, [&](const std::string& n) { notes.push_back(n); });
        pid = live.pid();
        // The script has set its trap once it printed its line and exec'd sleep.
        REQUIRE(wandb_test::eventually([&] { return fake_pid(run_dir) == pid; }, 20s));
        REQUIRE(wandb_test::eventually(
            [&] { return wandb_test::file_text("/proc/" + std::to_string(pid) + "/comm") == "sleep\n"; }, 20s));
        live.finish(50ms);
        live.finish(50ms);  // idempotent
    }
    CHECK(notes.empty());
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] ==
          "live sync of run x had not ended 50 ms after the run finished; stopped it with SIGTERM, then "
          "SIGKILL; upload the rest with: wandb sync " +
              run_dir.string());
    CHECK((::kill(pid, 0) != 0 && errno == ESRCH));
}

TEST_CASE("A program that cannot be executed is refused with the system's reason", "[live_sync][errors]") {
    TempDir tmp;
    const fs::path script = tmp / "bad-interpreter";
    wandb_test::write_text(script, "#!/nonexistent/interpreter\n");
    fs::permissions(script, fs::perms::owner_all);
    const fs::path text = tmp / "not-executable";
    wandb_test::write_text(text, "x");
    d::LiveSyncSettings s;
    s.run_dir = tmp.path();
    s.output = tmp / "logs/live-sync.log";
    s.executable = script.string();
    CHECK_THROWS_MATCHES(d::LiveSync(s, {}, {}), wandb::IoError,
                         Catch::Message("cannot execute " + script.string() + ": No such file or directory"));
    s.executable = text.string();  // mode 0644: not executable, for root either (no x bit at all)
    CHECK_THROWS_MATCHES(d::LiveSync(s, {}, {}), wandb::IoError,
                         Catch::Message(text.string() + " is not an executable file"));
    s.executable = "no-such-program-xyz";
    CHECK_THROWS_AS(d::LiveSync(s, {}, {}), wandb::IoError);
}

TEST_CASE("WANDB_IMAGEMASK_LIVE_SYNC turns live sync on when the option is unset", "[live_sync]") {
    std::vector<std::string> warnings;
    const d::Warn warn = [&](const std::string& w) { warnings.push_back(w); };
    const char* old = std::getenv("WANDB_IMAGEMASK_LIVE_SYNC");
    const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
    ::unsetenv("WANDB_IMAGEMASK_LIVE_SYNC");
    CHECK_FALSE(d::live_sync_wanted(std::nullopt, warn));
    for (const char* on : {"1", "true", "YES", "On"}) {
        ::setenv("WANDB_IMAGEMASK_LIVE_SYNC", on, 1);
        CHECK(d::live_sync_wanted(std::nullopt, warn));
        CHECK_FALSE(d::live_sync_wanted(false, warn));  // the option wins
    }
    for (const char* off : {"0", "false", "No", "off", ""}) {
        ::setenv("WANDB_IMAGEMASK_LIVE_SYNC", off, 1);
        CHECK_FALSE(d::live_sync_wanted(std::nullopt, warn));
        CHECK(d::live_sync_wanted(true, warn));
    }
    CHECK(warnings.empty());
    ::setenv("WANDB_IMAGEMASK_LIVE_SYNC", "sometimes", 1);
    CHECK_FALSE(d::live_sync_wanted(std::nullopt, warn));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] ==
          "WANDB_IMAGEMASK_LIVE_SYNC=\"sometimes\" is not one of 1, true, yes, on, 0, false, no, off; "
          "live sync stays off");
    if (saved)
        ::setenv("WANDB_IMAGEMASK_LIVE_SYNC", saved->c_str(), 1);
    else
        ::unsetenv("WANDB_IMAGEMASK_LIVE_SYNC");
}

TEST_CASE("Bad live-sync options are refused before any file is created", "[live_sync][errors]") {
    TempDir tmp;
    auto options = live_options(tmp.path());
    options.live_sync_timeout = -1ms;
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Catch::Message("wandb::OfflineRun: option live_sync_timeout is negative (-1 ms)"));
    options = live_options(tmp.path(), "");
    CHECK_THROWS_MATCHES(wandb::OfflineRun(options), wandb::ValidationError,
                         Catch::Message("wandb::OfflineRun: option live_sync_executable is empty"));
    CHECK(wandb_test::list_files(tmp.path()).empty());
}

// In processes of their own: `wandb` found through PATH, or not at all, and a killed job.

TEST_CASE("In a job, `wandb` is found through PATH; without it the job logs with one warning", "[live_sync]") {
    TempDir tmp;
    configure_fake(tmp.path(), "follow");
    const char* path = std::getenv("PATH");
    const std::string with_fake = std::string(WANDB_TEST_FAKE_WANDB_DIR) + ":" + (path ? path : "/usr/bin:/bin");
    const pid_t job =
        wandb_test::spawn_program({WANDB_TEST_RUN, tmp.path().string(), "--live", "--rows", "5", "--no-stats"},
                                  {{"PATH", with_fake}}, tmp / "out.txt", tmp / "err.txt");
    const auto status = wandb_test::wait_for_exit(job, 60s);
    REQUIRE(status);
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
    CHECK(wandb_test::file_text(tmp / "err.txt") == "");  // quiet run, uploader ended well: nothing to say
    for (int step = 0; step < 5; ++step) CHECK(saw_step(tmp / "fake-wandb.jsonl", step));
    CHECK(events(tmp / "fake-wandb.jsonl").back()["exit_seen"] == true);

    TempDir none;
    const pid_t bare =
        wandb_test::spawn_program({WANDB_TEST_RUN, none.path().string(), "--live", "--rows", "2", "--no-stats"},
                                  {{"PATH", none.path().string()}}, none / "out.txt", none / "err.txt");
    const auto bare_status = wandb_test::wait_for_exit(bare, 60s);
    REQUIRE(bare_status);
    CHECK(WEXITSTATUS(*bare_status) == 0);
    const std::string dir =
        wandb_test::file_text(none / "out.txt").substr(0, wandb_test::file_text(none / "out.txt").find('\n'));
    CHECK(wandb_test::file_text(none / "err.txt") ==
          "wandb: warning: live sync is on but cannot start `wandb beta sync --live " + dir +
              "`: \"wandb\" is not on PATH (" + none.path().string() +
              "); the run is written offline only; upload it with: wandb sync " + dir + "\n");
    CHECK(wandb_test::read_back(wandb_test::find_log(dir)).of_kind("history").size() == 2);
}

TEST_CASE("When the job is killed, its uploader gets SIGTERM instead of waiting for ever", "[live_sync]") {
    TempDir tmp;
    configure_fake(tmp.path(), "follow");
    const char* path = std::getenv("PATH");
    const std::string with_fake = std::string(WANDB_TEST_FAKE_WANDB_DIR) + ":" + (path ? path : "/usr/bin:/bin");
    const pid_t job = wandb_test::spawn_program(
        {WANDB_TEST_RUN, tmp.path().string(), "--live", "--rows", "100000", "--sleep-ms", "5", "--no-stats"},
        {{"PATH", with_fake}}, tmp / "out.txt", tmp / "err.txt");
    REQUIRE(wandb_test::eventually([&] { return saw_step(tmp / "fake-wandb.jsonl", 2); }, 30s));
    ::kill(job, SIGKILL);
    int status = 0;
    ::waitpid(job, &status, 0);
    const auto seen = events(tmp / "fake-wandb.jsonl");
    REQUIRE(seen.front()["event"] == "start");
    const pid_t uploader = seen.front()["pid"].get<pid_t>();
    CHECK(seen.front()["ppid"] == job);
    CHECK(wandb_test::eventually([&] { return events(tmp / "fake-wandb.jsonl").back()["event"] == "sigterm"; }, 10s));
    CHECK(wandb_test::eventually([&] { return wandb_test::process_dead(uploader); }, 10s));
}

}  // namespace test_live_sync
