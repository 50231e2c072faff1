// Tests for RunLogReader::follow (run_log.hpp): reading a log while a writer appends to it, as
// `wandb beta sync --live` does (core/internal/runsync/runreader.go: the end of the file and a
// truncated tail are retried until the Exit record has been read, and the reader stops at the
// first end of file after it).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <wandb/detail/log_writer.hpp>
#include <wandb/detail/records.hpp>
#include <wandb/run_log.hpp>

#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_follow {

namespace d = wandb::detail;
using wandb_test::TempDir;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

namespace {

Bytes history(std::int64_t num, std::int64_t step, std::size_t pad = 0) {
    d::HistoryRecord h;
    h.items = {{"loss", {}, "0.5"}};
    if (pad) h.items.push_back({"pad", {}, "\"" + std::string(pad, 'p') + "\""});
    h.step = step;
    return d::encode_record(num, h);
}

/// Follow options that never wait long: a test that would otherwise hang ends quickly instead.
wandb::FollowOptions quick(std::chrono::milliseconds idle = 30ms) {
    wandb::FollowOptions o;
    o.poll_interval = 1ms;
    o.idle_timeout = idle;
    return o;
}

void append_bytes(const std::string& path, const std::uint8_t* data, std::size_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, data, size) == static_cast<ssize_t>(size));
    ::close(fd);
}

}  // namespace

TEST_CASE("follow returns records as a writer appends them and ends after the Exit record", "[run_log][follow]") {
    TempDir tmp;
    const std::string path = (tmp / "run-f.wandb").string();
    d::LogWriter writer(path);
    const Bytes header = d::encode_record(1, d::HeaderRecord{"p", "0.40.0"});
    writer.append(header);

    wandb::RunLogReader reader(path);
    auto first = reader.follow(quick());
    REQUIRE(first);
    CHECK(first->data == header);
    CHECK(first->offset == 7);
    CHECK_FALSE(reader.follow(quick()));  // nothing new yet: the idle timeout ends this call
    CHECK_FALSE(reader.exit_seen());

    const Bytes row = history(2, 0);
    writer.append(row);
    auto second = reader.follow(quick());
    REQUIRE(second);
    CHECK(second->data == row);

    const Bytes exit = d::encode_record(3, d::ExitRecord{0, 5});
    const Bytes final_record = d::encode_record(4, d::FinalRecord{});
    writer.append(exit);
    writer.append(final_record);
    auto third = reader.follow(quick());
    REQUIRE(third);
    CHECK(third->data == exit);
    CHECK(reader.exit_seen());
    auto fourth = reader.follow(quick());
    REQUIRE(fourth);
    CHECK(fourth->data == final_record);  // records after the Exit record are still returned
    CHECK_FALSE(reader.follow(quick()));
}

TEST_CASE("After the Exit record follow ends at the end of the file without waiting", "[run_log][follow]") {
    TempDir tmp;
    const std::string path = (tmp / "run-e.wandb").string();
    d::LogWriter writer(path);
    writer.append(d::encode_record(1, d::ExitRecord{1, 2}));
    wandb::RunLogReader reader(path);
    bool asked = false;
    wandb::FollowOptions forever;  // no idle timeout: only the Exit record can end it
    forever.poll_interval = 1ms;
    forever.stop_requested = [&] {
        asked = true;
        return true;
    };
    REQUIRE(reader.follow(forever));
    CHECK(reader.exit_seen());
    CHECK_FALSE(reader.follow(forever));
    CHECK_FALSE(asked);  // it ended because of the Exit record, not because it was asked to stop
}

TEST_CASE("follow ends when asked to stop, and after its idle timeout", "[run_log][follow]") {
    TempDir tmp;
    const std::string path = (tmp / "run-s.wandb").string();
    d::LogWriter writer(path);
    wandb::RunLogReader reader(path);

    int asked = 0;
    wandb::FollowOptions stop;
    stop.poll_interval = 1ms;
    stop.stop_requested = [&] { return ++asked == 3; };
    CHECK_FALSE(reader.follow(stop));
    CHECK(asked == 3);  // looked twice more, then stopped on the third question

    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(reader.follow(quick(50ms)));
    const auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= 50ms);
    CHECK(waited < 5s);
    CHECK_FALSE(reader.exit_seen());
}

TEST_CASE("While following, a record cut anywhere is not yet written, and reads back whole once complete",
          "[run_log][follow]") {
    TempDir tmp;
    const std::string full_path = (tmp / "full.wandb").string();
    std::vector<Bytes> records = {d::encode_record(1, d::HeaderRecord{"p", "0.40.0"}), history(2, 0),
                                  history(3, 1, 70000),  // FIRST, MIDDLE, LAST chunks over three blocks
                                  history(4, 2)};
    {
        d::LogWriter writer(full_path);
        for (const Bytes& r : records) writer.append(r);
    }
    const Bytes file = wandb_test::read_bytes(full_path);
    // Cut inside the big record (every byte of its chunk headers and block ends, a stride elsewhere)
    // and inside the last one.
    std::vector<std::size_t> cuts;
    for (std::size_t k = 7; k < file.size(); k += 997) cuts.push_back(k);
    for (std::size_t boundary : {std::size_t{32768}, std::size_t{65536}})
        for (std::size_t k = boundary - 8; k <= boundary + 8; ++k) cuts.push_back(k);
    for (std::size_t k = file.size() - 20; k < file.size(); ++k) cuts.push_back(k);

    for (const std::size_t cut : cuts) {
        CAPTURE(cut);
        const std::string path = (tmp / ("cut-" + std::to_string(cut) + ".wandb")).string();
        wandb_test::write_bytes(path, Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut)));
        wandb::RunLogReader reader(path);
        std::vector<Bytes> seen;
        while (auto r = reader.follow(quick(1ms))) seen.push_back(r->data);  // must not throw
        REQUIRE(seen.size() < records.size());
        append_bytes(path, file.data() + cut, file.size() - cut);
        while (auto r = reader.follow(quick(1ms))) seen.push_back(r->data);
        CHECK(seen == records);
        unlink(path.c_str());
    }
}

TEST_CASE("follow reports corruption as next() does", "[run_log][follow][errors]") {
    TempDir tmp;
    const std::string path = (tmp / "run-c.wandb").string();
    {
        d::LogWriter writer(path);
        writer.append(history(1, 0));
        writer.append(history(2, 1));
    }
    Bytes bytes = wandb_test::read_bytes(path);
    const std::size_t second = 7 + 7 + history(1, 0).size();
    bytes[second + 10] ^= 0x40;
    wandb_test::write_bytes(path, bytes);
    wandb::RunLogReader reader(path);
    REQUIRE(reader.follow(quick()));
    const std::string expected =
        "wandb::RunLogReader: " + path + ": CRC mismatch in chunk at offset " + std::to_string(second);
    CHECK_THROWS_MATCHES(reader.follow(quick()), wandb::FormatError, Catch::Message(expected));
    CHECK_THROWS_MATCHES(reader.follow(quick()), wandb::FormatError, Catch::Message(expected));
}

TEST_CASE("A log that shrinks below what follow has returned is reported", "[run_log][follow][errors]") {
    TempDir tmp;
    const std::string path = (tmp / "run-t.wandb").string();
    d::LogWriter writer(path);
    writer.append(history(1, 0));
    writer.append(history(2, 1));
    wandb::RunLogReader reader(path);
    REQUIRE(reader.follow(quick()));
    REQUIRE(reader.follow(quick()));
    const auto end = 7 + 2 * 7 + history(1, 0).size() + history(2, 1).size();
    REQUIRE(::truncate(path.c_str(), 20) == 0);
    CHECK_THROWS_MATCHES(
        reader.follow(quick()), wandb::FormatError,
        Catch::Message("wandb::RunLogReader: " + path + ": the log shrank to 20 bytes while followed, below the " +
                       std::to_string(end) + " bytes already read (a failed write was rolled back)"));
}

TEST_CASE("A follower on another thread sees every record while the writer appends it", "[run_log][follow][threads]") {
    TempDir tmp;
    const std::string path = (tmp / "run-w.wandb").string();
    constexpr int rows = 300;
    std::vector<Bytes> written;
    for (int i = 0; i < rows; ++i)
        written.push_back(history(i + 1, i, i % 37 == 0 ? 40000 : static_cast<std::size_t>(i)));
    written.push_back(d::encode_record(rows + 1, d::ExitRecord{0, 1}));

    d::LogWriter writer(path);
    std::atomic<int> appended{0};
    std::vector<Bytes> seen;
    std::vector<int> appended_when_seen;
    std::thread follower([&] {
        wandb::RunLogReader reader(path);
        wandb::FollowOptions o;
        o.poll_interval = 1ms;
        o.idle_timeout = 20s;  // a safety net only
        while (auto r = reader.follow(o)) {
            seen.push_back(r->data);
            appended_when_seen.push_back(appended.load());
        }
    });
    for (const Bytes& r : written) {
        writer.append(r);
        appended.fetch_add(1);
        if (appended.load() % 10 == 0) std::this_thread::sleep_for(1ms);
    }
    follower.join();
    CHECK(seen == written);
    REQUIRE(!appended_when_seen.empty());
    CHECK(appended_when_seen.front() < static_cast<int>(written.size()));  // read while still written
}

}  // namespace test_follow
