// Tests for run_relocate.hpp and detail/proto_rewrite.hpp: a copied table run relocated (paths
// found with their digests, every other byte the same, idempotent), the refusals, and relocation
// killed with SIGKILL at random moments.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <wandb/detail/hash.hpp>
#include <wandb/detail/proto_rewrite.hpp>
#include <wandb/run_relocate.hpp>
#include <wandb/run_verify.hpp>
#include <wandb/wandb.hpp>

#include "support/run_dir_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_run_relocate {

using Catch::Message;
using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

/// A base-128 varint, written out by hand.
std::string varint(std::uint64_t v) {
    std::string out;
    for (; v >= 0x80; v >>= 7) out += static_cast<char>(v | 0x80);
    return out + static_cast<char>(v);
}

/// A protobuf LEN field written out by hand.
std::string len_field(std::uint32_t field, const std::string& payload) {
    return varint(std::uint64_t{field} << 3 | 2) + varint(payload.size()) + payload;
}

/// A run below root/"cluster" copied to root/"laptop", the original removed: the air-gapped move.
struct MovedRun {
    fs::path original;  ///< where the run was written (gone)
    fs::path dir;       ///< where it is now
    fs::path log;
    std::vector<wandb::LogRecord> records;  ///< the log as written
};

MovedRun moved_table_run(const fs::path& root, std::size_t table_rows = 2) {
    MovedRun m;
    m.original = wandb_test::write_table_run(root / "cluster", "tbl00001", table_rows);
    m.records = wandb_test::raw_records(m.original / "run-tbl00001.wandb");
    m.dir = root / "laptop" / m.original.filename();
    wandb_test::copy_dir(m.original, m.dir);
    wandb_test::remove_dir(root / "cluster");
    m.log = m.dir / "run-tbl00001.wandb";
    return m;
}

/// The decoded artifact record with every local_path's `from` prefix replaced by `to`.
wandb::Json with_prefix(wandb::Json artifact, const std::string& from, const std::string& to) {
    for (auto& entry : artifact["manifest"]["contents"]) {
        const std::string local = entry["local_path"];
        REQUIRE(local.rfind(from + "/", 0) == 0);
        entry["local_path"] = to + local.substr(from.size());
    }
    return artifact;
}

/// How the log in `dir` relates to a moved run's records: "old" (exactly as written), "new"
/// (relocated to `dir`: every record the same bytes except the artifact's local_paths), or a
/// description of what is wrong.
std::string log_state(const fs::path& dir, const MovedRun& m) {
    std::vector<fs::path> logs;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".wandb") logs.push_back(e.path());
    if (logs.size() != 1) return std::to_string(logs.size()) + " logs";
    wandb::RunLogReader reader(logs[0].string());
    const auto all = reader.read_all();
    if (all.problem) return "log problem: " + all.problem->message;
    if (all.records.size() != m.records.size()) return std::to_string(all.records.size()) + " records";
    bool old = true, relocated = true;
    for (std::size_t i = 0; i < all.records.size(); ++i) {
        const bool same = all.records[i].data == m.records[i].data;
        old = old && same;
        const wandb::Json before = wandb::decode_record(m.records[i].data);
        if (!before.contains("artifact")) {
            relocated = relocated && same;
            continue;
        }
        wandb::Json want = before;
        want["artifact"] = with_prefix(before["artifact"], m.original.string(), fs::canonical(dir).string());
        relocated = relocated && !same && wandb::decode_record(all.records[i].data) == want;
    }
    return old ? "old" : relocated ? "new" : "neither old nor relocated";
}

}  // namespace

TEST_CASE("rewrite_string_fields changes only the chosen strings and the lengths around them", "[run_relocate]") {
    // Record{1: 5, 8: Artifact{2: "p", 12: Manifest{4: Entry{1: "a", 6: "/old/x", 16: {1: "k"}},
    //        4: Entry{6 (key as a two-byte varint): "/keep"}, 5: "/old/m"}, 99: 1}, 77: "tail"}
    const std::string entry1 = len_field(1, "a") + len_field(6, "/old/x") + len_field(16, len_field(1, "k"));
    const std::string entry2 = std::string("\xb2\x00", 2) + "\x05" + "/keep";
    const auto manifest = [&](const std::string& e1, const std::string& m) {
        return len_field(4, e1) + len_field(4, entry2) + len_field(5, m);
    };
    const auto record = [&](const std::string& e1, const std::string& m) {
        return std::string("\x08\x05", 2) + len_field(8, len_field(2, "p") + len_field(12, manifest(e1, m)) + "\x98\x06\x01") +
               len_field(77, "tail");
    };
    const std::string before = record(entry1, "/old/m");
    int calls = 0;
    auto replace = [&calls](std::string_view old) -> std::optional<std::string> {
        ++calls;
        if (old == "/old/x") return std::string("/new/longer/x");
        if (old == "/old/m") return std::string("/n");
        return std::nullopt;
    };
    const auto local = wandb::detail::rewrite_string_fields(before, {8, 12, 4, 6}, 0, replace);
    REQUIRE(local);
    const std::string entry1_after = len_field(1, "a") + len_field(6, "/new/longer/x") + len_field(16, len_field(1, "k"));
    CHECK(*local == record(entry1_after, "/old/m"));  // the two-byte key of entry 2 kept as it was
    CHECK(calls == 2);
    const auto both = wandb::detail::rewrite_string_fields(*local, {8, 12, 5}, 0, replace);
    REQUIRE(both);
    CHECK(*both == record(entry1_after, "/n"));
    auto keep = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    CHECK_FALSE(wandb::detail::rewrite_string_fields(before, {8, 12, 4, 6}, 0, keep));
    CHECK_THROWS_AS(wandb::detail::rewrite_string_fields(std::string("\x42\x09"), {8, 12, 4, 6}, 0, keep),
                    wandb::detail::ProtoError);
}

TEST_CASE("A copied table run, its original removed, relocated: every staged file found with its digest, every "
          "other byte the same",
          "[run_relocate]") {
    TempDir root;
    const MovedRun m = moved_table_run(root.path());
    const wandb::Json artifact_before = wandb_test::first_of(m.log, "artifact");
    const std::size_t staged = artifact_before["manifest"]["contents"].size();
    REQUIRE(staged >= 5);  // the table file, two images, two masks
    CHECK(log_state(m.dir, m) == "old");

    const wandb::RelocateResult result = wandb::relocate_run(m.dir);
    CHECK(result.dir == fs::canonical(m.dir));
    CHECK(result.log == m.log);
    CHECK(result.paths_rewritten == staged);
    CHECK(result.records_rewritten == 1);
    CHECK(result.old_dirs == std::vector<std::string>{m.original.string()});
    CHECK(result.dropped_tail_bytes == 0);
    CHECK(log_state(m.dir, m) == "new");
    const wandb::Json relocated = wandb_test::first_of(m.log, "artifact");
    for (const auto& entry : relocated["manifest"]["contents"]) {
        const std::string local = entry["local_path"];
        INFO(local);
        REQUIRE(fs::is_regular_file(local));
        CHECK(local.rfind(fs::canonical(m.dir).string() + "/artifacts/staging/tmp", 0) == 0);
        const auto bytes = wandb_test::read_bytes(local);
        CHECK(static_cast<std::int64_t>(bytes.size()) == entry["size"].get<std::int64_t>());
        CHECK(wandb::detail::Md5::of(bytes.data(), bytes.size()).base64() == entry["digest"]);
    }
    CHECK(wandb::verify_run(m.dir).ok());
    CHECK_FALSE(fs::exists(m.log.string() + ".relocating"));

    // Relocating again changes nothing, not even the file's time.
    const auto bytes = wandb_test::read_bytes(m.log);
    const auto time = fs::last_write_time(m.log);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const wandb::RelocateResult again = wandb::relocate_run(m.dir);
    CHECK(again.paths_rewritten == 0);
    CHECK(again.records_rewritten == 0);
    CHECK(wandb_test::read_bytes(m.log) == bytes);
    CHECK(fs::last_write_time(m.log) == time);
}

TEST_CASE("relocate_run refuses a run still being written, a synced run and a corrupt log, changing nothing",
          "[run_relocate][errors]") {
    TempDir root;
    SECTION("still being written") {
        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
        run.log({{"loss", 1.0}});
        const auto bytes = wandb_test::read_bytes(run.log_path());
        CHECK_THROWS_MATCHES(wandb::relocate_run(run.dir()), wandb::ValidationError,
                             Message("wandb::relocate_run: " + run.log_path().string() +
                                     " is still being written (its writer holds the log's lock); relocate the run "
                                     "after it has finished"));
        CHECK(wandb_test::read_bytes(run.log_path()) == bytes);
        run.finish();
        CHECK(wandb::relocate_run(run.dir()).paths_rewritten == 0);
    }
    SECTION("marked synced") {
        const MovedRun m = moved_table_run(root.path());
        wandb_test::write_text(m.log.string() + ".synced", "");
        CHECK_THROWS_MATCHES(wandb::relocate_run(m.dir), wandb::ValidationError,
                             Message("wandb::relocate_run: " + fs::canonical(m.dir).string() +
                                     ": the run is already synced (run-tbl00001.wandb.synced exists); remove that "
                                     "marker to relocate and sync it again"));
        CHECK(log_state(m.dir, m) == "old");
    }
    SECTION("a corrupt log") {
        const MovedRun m = moved_table_run(root.path());
        auto bytes = wandb_test::read_bytes(m.log);
        const std::uint64_t hit = m.records.at(3).offset;
        bytes[hit + 9] ^= 0x01;
        wandb_test::write_bytes(m.log, bytes);
        CHECK_THROWS_MATCHES(wandb::relocate_run(m.dir), wandb::ValidationError,
                             Message("wandb::relocate_run: " + m.log.string() + ": the log is corrupt (CRC mismatch in "
                                     "chunk at offset " + std::to_string(hit) + "); nothing was changed"));
        CHECK(wandb_test::read_bytes(m.log) == bytes);
    }
    SECTION("a staged file the copy did not bring") {
        const MovedRun m = moved_table_run(root.path());
        const std::string lost = wandb_test::first_of(m.log, "artifact")["manifest"]["contents"][1]["local_path"];
        fs::remove(m.dir / fs::path(lost).lexically_relative(m.original));
        const auto bytes = wandb_test::read_bytes(m.log);
        CHECK_THROWS_MATCHES(wandb::relocate_run(m.dir), wandb::ValidationError,
                             Message("wandb::relocate_run: " + fs::canonical(m.dir).string() + ": cannot relocate " + lost +
                                     " (artifact run-tbl00001-samples, the record at offset " +
                                     std::to_string(wandb_test::offset_of(m.log, "artifact")) +
                                     "): no file below the run directory matches it; nothing was changed"));
        CHECK(wandb_test::read_bytes(m.log) == bytes);
        CHECK_FALSE(fs::exists(m.log.string() + ".relocating"));
    }
    SECTION("the new log cannot be written") {
        const MovedRun m = moved_table_run(root.path());
        fs::create_directories(m.log.string() + ".relocating/in-the-way");
        CHECK_THROWS_MATCHES(wandb::relocate_run(m.dir), wandb::IoError,
                             Message("wandb::relocate_run: cannot open " + m.log.string() + ".relocating: File exists"));
        CHECK(log_state(m.dir, m) == "old");
    }
}

TEST_CASE("relocate_run leaves out a truncated tail, and says how long it was", "[run_relocate]") {
    TempDir root;
    MovedRun m = moved_table_run(root.path());
    const std::uint64_t last = m.records.back().offset;
    const std::uint64_t size = fs::file_size(m.log);
    fs::resize_file(m.log, last + 4);
    const wandb::RelocateResult result = wandb::relocate_run(m.dir);
    CHECK(result.dropped_tail_bytes == 4);
    m.records.pop_back();
    CHECK(log_state(m.dir, m) == "new");
    CHECK(size > last + 4);
}

TEST_CASE("relocate_run killed with SIGKILL at random moments always leaves one whole log", "[run_relocate][long]") {
    TempDir root;
    const MovedRun m = moved_table_run(root.path(), 40);
    // How long an uninterrupted relocation takes here: the kills are spread over 1.5 times that.
    const fs::path timing = root / "timing" / m.dir.filename();
    wandb_test::copy_dir(m.dir, timing);
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(wandb::relocate_run(timing).paths_rewritten > 50);  // 40 images, 15 distinct masks, the table
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    const unsigned seed = std::random_device{}();
    std::mt19937 random(seed);
    std::uniform_int_distribution<long> delay(0, took.count() * 3 / 2 + 1000);  // plus the fork
    int old_logs = 0, new_logs = 0;
    for (int i = 0; i < 40; ++i) {
        const fs::path dir = root / ("kill" + std::to_string(i)) / m.dir.filename();
        wandb_test::copy_dir(m.dir, dir);
        const long wait_us = delay(random);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            try {
                wandb::relocate_run(dir);
            } catch (...) {
                ::_exit(1);
            }
            ::_exit(0);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        INFO("seed " << seed << ", kill " << i << " after " << wait_us << " us");
        REQUIRE((WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0)));
        const std::string state = log_state(dir, m);
        CHECK((state == "old" || state == "new"));
        (state == "old" ? old_logs : new_logs)++;
        // Whatever the kill interrupted, relocating once more finishes the job.
        wandb::relocate_run(dir);
        CHECK(log_state(dir, m) == "new");
        CHECK_FALSE(fs::exists(dir / "run-tbl00001.wandb.relocating"));
        wandb_test::remove_dir(dir.parent_path());
    }
    std::cout << "relocate killed 40 times (seed " << seed << ", one relocation " << took.count() << " us): " << old_logs
              << " logs left as they were, " << new_logs << " relocated, none broken" << std::endl;
}

}  // namespace test_run_relocate
