// Tests for run_verify.hpp (and run_dir.hpp): what verify_run reports for a good run, a run being
// written, and each kind of damage, with the exact problem messages.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <wandb/detail/log_writer.hpp>
#include <wandb/detail/records.hpp>
#include <wandb/run_verify.hpp>
#include <wandb/wandb.hpp>

#include "support/run_dir_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_run_verify {

using Catch::Message;
using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> messages(const wandb::RunReport& report) {
    std::vector<std::string> out;
    for (const auto& p : report.problems) out.push_back(p.message);
    return out;
}

/// The history value of `key` in the first History record that has it.
wandb::Json history_value(const fs::path& log, const std::string& key) {
    for (const auto& r : wandb_test::raw_records(log)) {
        const wandb::Json j = wandb::decode_record(r.data);
        if (!j.contains("history")) continue;
        const wandb::Json row = wandb_test::history_row(j["history"]["item"]);
        if (row.contains(key)) return row[key];
    }
    FAIL("no history value " << key);
    return {};
}

}  // namespace

TEST_CASE("verify_run reports what a good run holds", "[run_verify]") {
    TempDir root;
    const fs::path dir = wandb_test::write_table_run(root.path());
    const wandb::RunReport report = wandb::verify_run(dir);
    CHECK(messages(report).empty());
    CHECK(report.ok());
    CHECK(report.dir == fs::canonical(dir));
    CHECK(report.log == dir / "run-tbl00001.wandb");
    CHECK(report.rows == 3);
    CHECK(report.first_step == 0);
    CHECK(report.last_step == 2);
    // the image, its mask, and the table's run-side file
    CHECK(report.media_files == 3);
    CHECK(report.tables == 1);
    CHECK(report.exit_code == 0);
    CHECK_FALSE(report.being_written);
    CHECK_FALSE(report.synced);
    CHECK(report.summary() == "3 rows, steps 0..2, 3 media files, 1 table, exit code 0");
    CHECK(wandb::verify_run(report.log).summary() == report.summary());  // the log itself names the run
}

TEST_CASE("verify_run reports a run still being written as such, not as corrupt", "[run_verify]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"img", wandb_test::split_image(3)}});
    wandb::RunReport report = wandb::verify_run(run.dir());
    CHECK(report.being_written);
    CHECK(report.summary() == "1 row, step 0, 2 media files, 0 tables, being written");
    CHECK(report.ok());
    run.finish();
    report = wandb::verify_run(run.dir());
    CHECK_FALSE(report.being_written);
    CHECK(report.summary() == "1 row, step 0, 2 media files, 0 tables, exit code 0");

    // A writer that died mid-record leaves a truncated tail: a problem once nobody holds the log,
    // not while a writer (here: this test, as the writer would) holds its lock. Cut inside the
    // Exit record: Exit and Final are gone.
    const auto records = wandb_test::raw_records(run.log_path());
    const std::uint64_t last = records.at(records.size() - 2).offset;
    fs::resize_file(run.log_path(), last + 5);
    const int fd = ::open(run.log_path().c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    report = wandb::verify_run(run.dir());
    CHECK(report.being_written);
    CHECK(report.ok());
    CHECK(report.summary() == "1 row, step 0, 2 media files, 0 tables, being written");
    ::close(fd);
    report = wandb::verify_run(run.dir());
    CHECK(messages(report) ==
          std::vector<std::string>{"log: truncated tail at offset " + std::to_string(last) + ": the file ends at offset " +
                                   std::to_string(last + 5) + " inside a record (the writer stopped inside a record; the " +
                                   std::to_string(report.records) + " records before it are intact)"});
    CHECK(report.problems.at(0).kind == wandb::RunProblem::Kind::truncated_log);
    CHECK(report.records == records.size() - 2);
    CHECK(report.summary() == "1 row, step 0, 2 media files, 0 tables, not finished");
}

TEST_CASE("verify_run names a missing media file and one whose bytes changed", "[run_verify]") {
    TempDir root;
    const fs::path dir = wandb_test::write_table_run(root.path());
    const fs::path log = dir / "run-tbl00001.wandb";
    const wandb::Json img = history_value(log, "img");
    const std::string image = img["path"], mask = img["masks"]["predictions"]["path"];
    const std::string at = std::to_string(wandb_test::offset_of(log, "history", "img"));
    fs::remove(dir / "files" / image);
    auto bytes = wandb_test::read_bytes(dir / "files" / mask);
    bytes[bytes.size() / 2] ^= 0x20;  // same size, other bytes
    wandb_test::write_bytes(dir / "files" / mask, bytes);
    const std::string sha = wandb_test::sha256_hex(dir / "files" / mask);
    const wandb::RunReport report = wandb::verify_run(dir);
    // In path order: media/images/img_... before media/images/mask/img_...
    CHECK(messages(report) ==
          std::vector<std::string>{"files/" + image + ": missing (named in the History record at offset " + at + ")",
                                   "files/" + mask + ": its bytes changed (sha256 " + sha +
                                       ", the History record at offset " + at + " says " +
                                       img["masks"]["predictions"]["sha256"].get<std::string>() + ")"});
    CHECK(report.problems.at(0).kind == wandb::RunProblem::Kind::missing_file);
    CHECK(report.problems.at(1).kind == wandb::RunProblem::Kind::changed_file);

    wandb_test::write_bytes(dir / "files" / mask, {1, 2, 3});
    CHECK(messages(wandb::verify_run(dir)).at(1) == "files/" + mask + ": its bytes changed (3 bytes, the History record at offset " +
                                                        at + " says " + std::to_string(img["masks"]["predictions"]["size"].get<int>()) + ")");
}

TEST_CASE("verify_run names a missing or changed staged artifact file", "[run_verify]") {
    TempDir root;
    const fs::path dir = wandb_test::write_table_run(root.path());
    const fs::path log = dir / "run-tbl00001.wandb";
    const wandb::Json artifact = wandb_test::first_of(log, "artifact");
    const std::string at = std::to_string(wandb_test::offset_of(log, "artifact"));
    const wandb::Json& first = artifact["manifest"]["contents"][0];
    const wandb::Json& second = artifact["manifest"]["contents"][1];
    const std::string gone = first["local_path"], changed = second["local_path"];
    fs::remove(gone);
    fs::permissions(changed, fs::perms::owner_write, fs::perm_options::add);
    wandb_test::write_text(changed, "other bytes");
    const wandb::RunReport report = wandb::verify_run(dir);
    CHECK(messages(report) ==
          std::vector<std::string>{
              "artifact run-tbl00001-samples: staged file " + gone + " (member " + first["path"].get<std::string>() +
                  ") is missing (named in the Artifact record at offset " + at + ")",
              "artifact run-tbl00001-samples: staged file " + changed + " (member " + second["path"].get<std::string>() +
                  ") changed (11 bytes, the Artifact record at offset " + at + " says " +
                  std::to_string(second["size"].get<int>()) + ")"});
    CHECK(report.problems.at(0).kind == wandb::RunProblem::Kind::missing_file);
    CHECK(report.problems.at(1).kind == wandb::RunProblem::Kind::changed_file);

    // Once `wandb sync` marked the run synced, missing staged files are expected: it removes them.
    wandb_test::write_text(wandb::synced_marker(log), "");
    const wandb::RunReport synced = wandb::verify_run(dir);
    CHECK(messages(synced).size() == 1);  // the changed one is still reported
    CHECK(synced.synced);
    CHECK(synced.summary() == "3 rows, steps 0..2, 3 media files, 1 table, exit code 0, synced");
}

TEST_CASE("verify_run names a flipped byte in the log and a truncated tail by offset", "[run_verify]") {
    TempDir root;
    const fs::path dir = wandb_test::write_table_run(root.path());
    const fs::path log = dir / "run-tbl00001.wandb";
    const auto records = wandb_test::raw_records(log);
    const std::uint64_t hit = records.at(4).offset;  // a FULL chunk: the record's only chunk
    const auto original = wandb_test::read_bytes(log);
    SECTION("a flipped byte") {
        auto bytes = original;
        bytes[hit + 7 + 2] ^= 0x01;
        wandb_test::write_bytes(log, bytes);
        const wandb::RunReport report = wandb::verify_run(dir);
        CHECK(messages(report) == std::vector<std::string>{"log: CRC mismatch in chunk at offset " + std::to_string(hit) +
                                                           " (nothing from there on can be read; the 4 records before "
                                                           "it are intact)"});
        CHECK(report.problems.at(0).kind == wandb::RunProblem::Kind::corrupt_log);
        CHECK(report.records == 4);
    }
    SECTION("a truncated tail") {
        const std::uint64_t last = records.back().offset;
        fs::resize_file(log, last + 3);
        const wandb::RunReport report = wandb::verify_run(dir);
        CHECK(messages(report) ==
              std::vector<std::string>{"log: truncated tail at offset " + std::to_string(last) + ": the file ends at offset " +
                                       std::to_string(last + 3) + " inside a record (the writer stopped inside a record; the " +
                                       std::to_string(records.size() - 1) + " records before it are intact)"});
        CHECK(report.problems.at(0).kind == wandb::RunProblem::Kind::truncated_log);
        CHECK(report.summary() == "3 rows, steps 0..2, 3 media files, 1 table, exit code 0");  // the Final record was lost
    }
    SECTION("a bad header") {
        auto bytes = original;
        bytes[4] = 0x34;
        bytes[5] = 0x12;
        wandb_test::write_bytes(log, bytes);
        CHECK(messages(wandb::verify_run(dir)) ==
              std::vector<std::string>{"log: bad magic 0x1234 at offset 4 (expected 0xBEE1)"});
    }
}

TEST_CASE("verify_run names a step that does not increase and a file no Files record can find", "[run_verify]") {
    TempDir root;
    const fs::path dir = root / "run";
    fs::create_directories(dir / "files");
    namespace d = wandb::detail;
    std::vector<std::uint64_t> offsets;
    {
        d::LogWriter writer((dir / "run-x.wandb").string());
        d::RunRecord run;
        run.run_id = "x";
        writer.append(d::encode_record(1, run));
        for (const std::int64_t step : {0, 4, 4, 2}) {
            d::HistoryRecord h;
            h.items = {{"", {"_step"}, std::to_string(step)}};
            h.step = step;
            offsets.push_back(writer.append(d::encode_record(2, h)));
        }
        offsets.push_back(writer.append(d::encode_record(6, d::FilesRecord{{{"media/x.png"}, {"output*.log"}}})));
    }
    const wandb::RunReport report = wandb::verify_run(dir);
    CHECK(messages(report) ==
          std::vector<std::string>{
              "log: step 4 of the History record at offset " + std::to_string(offsets[2]) +
                  " is not greater than step 4 before it",
              "log: step 2 of the History record at offset " + std::to_string(offsets[3]) +
                  " is not greater than step 4 before it",
              "files/media/x.png: missing (named in the Files record at offset " + std::to_string(offsets[4]) + ")"});
    CHECK(report.problems.at(0).kind == wandb::RunProblem::Kind::step_order);
    CHECK(report.summary() == "4 rows, steps 0..2, 0 media files, 0 tables, not finished");
}

TEST_CASE("verify_run tells a moved run from a damaged one", "[run_verify]") {
    TempDir root;
    const fs::path first = wandb_test::write_table_run(root / "cluster");
    const fs::path moved = root / "laptop" / first.filename();
    wandb_test::copy_dir(first, moved);
    const wandb::Json artifact = wandb_test::first_of(moved / "run-tbl00001.wandb", "artifact");
    const std::string example = artifact["manifest"]["contents"][0]["local_path"];
    // With the original still there the log names another copy's files: also to be relocated.
    const std::size_t staged = artifact["manifest"]["contents"].size();
    const std::string expected = "artifact run-tbl00001-samples: " + std::to_string(staged) +
                                 " staged files are named by where the run directory "
                                 "was before it was moved or copied (e.g. " + example +
                                 "); `wandb-imagemask relocate` rewrites them";
    CHECK(messages(wandb::verify_run(moved)) == std::vector<std::string>{expected});
    wandb_test::remove_dir(root / "cluster");
    const wandb::RunReport report = wandb::verify_run(moved);
    CHECK(messages(report) == std::vector<std::string>{expected});
    CHECK(report.has(wandb::RunProblem::Kind::moved_paths));
    // A moved staged file whose copy changed is named where it is now.
    const fs::path now = fs::canonical(moved) / fs::path(example).lexically_relative(first);
    fs::permissions(now, fs::perms::owner_write, fs::perm_options::add);
    wandb_test::write_text(now, "x");
    CHECK(messages(wandb::verify_run(moved)).at(0) ==
          "artifact run-tbl00001-samples: staged file " + example + " (member " +
              artifact["manifest"]["contents"][0]["path"].get<std::string>() + "), found at " + now.string() +
              " changed (1 bytes, the Artifact record at offset " +
              std::to_string(wandb_test::offset_of(moved / "run-tbl00001.wandb", "artifact")) + " says " +
              std::to_string(artifact["manifest"]["contents"][0]["size"].get<int>()) + ")");
}

TEST_CASE("find_run_log names what is not a run directory", "[run_verify][errors]") {
    TempDir root;
    CHECK_THROWS_MATCHES(wandb::verify_run(root / "nope"), wandb::ValidationError,
                         Message("wandb::find_run_log: " + (root / "nope").string() + " does not exist"));
    CHECK_THROWS_MATCHES(wandb::verify_run(root.path()), wandb::ValidationError,
                         Message("wandb::find_run_log: " + root.path().string() + " holds no .wandb log: not a run directory"));
    wandb_test::write_text(root / "a.wandb", "");
    wandb_test::write_text(root / "b.wandb", "");
    const auto err = wandb_test::outcome_of([&] { wandb::find_run_log(root.path()); });
    CHECK((err == "ValidationError: wandb::find_run_log: " + root.path().string() +
                      " holds 2 .wandb logs (a.wandb, b.wandb); name the log to use" ||
           err == "ValidationError: wandb::find_run_log: " + root.path().string() +
                      " holds 2 .wandb logs (b.wandb, a.wandb); name the log to use"));
    CHECK(wandb::find_run_log(root / "a.wandb") == root / "a.wandb");
    CHECK(wandb::synced_marker(root / "a.wandb") == root / "a.wandb.synced");
    CHECK(messages(wandb::verify_run(root / "a.wandb")) ==
          std::vector<std::string>{"log: file is 0 bytes long, shorter than the 7-byte W&B header"});
}

}  // namespace test_run_verify
