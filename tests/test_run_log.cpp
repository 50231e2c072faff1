// Tests for detail/log_writer.hpp and run_log.hpp. Expected layouts come from the format: a 7-byte
// W&B header, 32768-byte blocks counted from file offset 0, 7-byte chunk headers (CRC-32 of type
// byte + data, LE length, type FULL 1 / FIRST 2 / MIDDLE 3 / LAST 4), zero padding when fewer than
// 7 bytes are left in a block. CRC constants were computed with python's zlib.crc32.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <wandb/detail/log_writer.hpp>
#include <wandb/detail/records.hpp>
#include <wandb/record_json.hpp>
#include <wandb/run_log.hpp>

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_run_log {

namespace fs = std::filesystem;
namespace d = wandb::detail;
using Bytes = std::vector<std::uint8_t>;
using wandb::LogProblem;
using wandb::RunLogReader;

namespace {

constexpr std::size_t kBlock = 32768;

/// A fresh directory under $WANDB_TEST_TMPDIR (or the system temp dir), removed afterwards.
class TempDir {
public:
    TempDir() {
        const char* env = std::getenv("WANDB_TEST_TMPDIR");
        const fs::path base = env && *env ? fs::path(env) : fs::temp_directory_path();
        fs::create_directories(base);
        std::string tmpl = (base / "run_log-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const Bytes& bytes, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
}
void write_file(const std::string& path, const Bytes& bytes) { write_file(path, bytes, bytes.size()); }

/// `size` bytes of a recognisable pattern, different for each `seed`.
Bytes payload(std::size_t size, unsigned seed) {
    Bytes b(size);
    for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<std::uint8_t>((i * 131u + seed * 7u) ^ (i >> 8));
    return b;
}

struct ChunkHeader {
    std::uint32_t crc;
    std::size_t length;
    int type;
};
ChunkHeader chunk_at(const Bytes& file, std::size_t offset) {
    const std::uint8_t* h = file.data() + offset;
    return {std::uint32_t{h[0]} | std::uint32_t{h[1]} << 8 | std::uint32_t{h[2]} << 16 | std::uint32_t{h[3]} << 24,
            std::size_t{h[4]} | std::size_t{h[5]} << 8, h[6]};
}

/// The W&B file header, from the format facts.
const Bytes kHeader = {':', 'W', '&', 'B', 0xE1, 0xBE, 0x00};

/// A hand-made chunk (for corrupt layouts the writer never produces). Uses the library's CRC-32,
/// which test_hash.cpp checks against zlib's check value.
Bytes chunk(int type, const Bytes& data) {
    const auto t = static_cast<std::uint8_t>(type);
    std::uint32_t crc = d::crc32(0, &t, 1);
    crc = d::crc32(crc, data.data(), data.size());
    Bytes c = {static_cast<std::uint8_t>(crc), static_cast<std::uint8_t>(crc >> 8),
               static_cast<std::uint8_t>(crc >> 16), static_cast<std::uint8_t>(crc >> 24),
               static_cast<std::uint8_t>(data.size()), static_cast<std::uint8_t>(data.size() >> 8), t};
    c.insert(c.end(), data.begin(), data.end());
    return c;
}
Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// Writes `records` with LogWriter and returns the offsets append() reported.
std::vector<std::uint64_t> write_log(const std::string& path, const std::vector<Bytes>& records) {
    d::LogWriter w(path);
    std::vector<std::uint64_t> offsets;
    for (const auto& r : records) offsets.push_back(w.append(r));
    w.close();
    return offsets;
}

wandb::LogReadResult read_all(const std::string& path) { return RunLogReader(path).read_all(); }

}  // namespace

// --- Writer layout -------------------------------------------------------------------------

TEST_CASE("A new log starts with the W&B header and a small record is one FULL chunk", "[run_log][writer]") {
    TempDir dir;
    const auto path = dir.file("run-abc.wandb");
    d::LogWriter w(path);
    CHECK(read_file(path) == kHeader);  // the header is on disk before any record
    CHECK(w.append(Bytes{'a', 'b', 'c'}) == 7);
    CHECK(w.size() == 17);
    CHECK(w.records_written() == 1);
    w.close();
    // crc32(01 61 62 63) = 0x539D20A9, stored little-endian; length 3; type FULL.
    CHECK(read_file(path) == cat({kHeader, {0xA9, 0x20, 0x9D, 0x53, 0x03, 0x00, 0x01, 'a', 'b', 'c'}}));
}

TEST_CASE("An empty record is one empty FULL chunk", "[run_log][writer]") {
    TempDir dir;
    const auto path = dir.file("run-empty.wandb");
    write_log(path, {Bytes{}});
    // crc32(01) = 0xA505DF1B.
    CHECK(read_file(path) == cat({kHeader, {0x1B, 0xDF, 0x05, 0xA5, 0x00, 0x00, 0x01}}));
    const auto result = read_all(path);
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0].data.empty());
    CHECK_FALSE(result.problem);
}

TEST_CASE("A record larger than two blocks is split FIRST/MIDDLE/LAST and reads back whole", "[run_log]") {
    TempDir dir;
    const auto path = dir.file("run-big.wandb");
    const Bytes big = payload(80000, 1);
    const auto offsets = write_log(path, {big, payload(10, 2)});
    const Bytes file = read_file(path);
    // FIRST at 7 holds 32768-7-7 = 32754 bytes; MIDDLE at 32768 holds 32761; LAST at 65536 holds
    // 80000-32754-32761 = 14485 and ends at 65536+7+14485 = 80028, where the next record starts.
    const auto first = chunk_at(file, 7), middle = chunk_at(file, kBlock), last = chunk_at(file, 2 * kBlock);
    CHECK((first.type == 2 && first.length == 32754));
    CHECK((middle.type == 3 && middle.length == 32761));
    CHECK((last.type == 4 && last.length == 14485));
    CHECK(offsets == std::vector<std::uint64_t>{7, 80028});
    CHECK(chunk_at(file, 80028).type == 1);

    const auto result = read_all(path);
    REQUIRE(result.records.size() == 2);
    CHECK(result.records[0].offset == 7);
    CHECK(result.records[0].data == big);
    CHECK(result.records[1].offset == 80028);
    CHECK(result.records[1].data == payload(10, 2));
    CHECK_FALSE(result.problem);
}

TEST_CASE("A record ending exactly at a block end, or 1..6 bytes before it, is followed by zero padding",
          "[run_log]") {
    for (std::size_t left = 0; left <= 6; ++left) {
        DYNAMIC_SECTION("bytes left in block 0: " << left) {
            TempDir dir;
            const auto path = dir.file("run-pad.wandb");
            // 7 (file header) + 7 (chunk header) + size = 32768 - left.
            const Bytes first = payload(32754 - left, 3), second = payload(5, 4);
            const auto offsets = write_log(path, {first, second});
            const Bytes file = read_file(path);
            CHECK(chunk_at(file, 7).type == 1);
            CHECK(std::all_of(file.begin() + static_cast<long>(kBlock - left), file.begin() + kBlock,
                              [](std::uint8_t b) { return b == 0; }));
            CHECK(offsets == std::vector<std::uint64_t>{7, kBlock});
            CHECK(chunk_at(file, kBlock).type == 1);
            CHECK(file.size() == kBlock + 7 + 5);
            const auto result = read_all(path);
            REQUIRE(result.records.size() == 2);
            CHECK(result.records[0].data == first);
            CHECK(result.records[1].data == second);
            CHECK(result.records[1].offset == kBlock);
            CHECK_FALSE(result.problem);
        }
    }
}

TEST_CASE("With exactly 7 bytes left in a block the next record starts with an empty FIRST chunk", "[run_log]") {
    TempDir dir;
    const auto path = dir.file("run-seven.wandb");
    const Bytes first = payload(32754 - 7, 5), second = payload(20, 6);
    const auto offsets = write_log(path, {first, second});
    const Bytes file = read_file(path);
    // crc32(02) = 0x3C0C8EA1: an empty FIRST chunk in the block's last 7 bytes.
    CHECK(Bytes(file.begin() + kBlock - 7, file.begin() + kBlock) == Bytes{0xA1, 0x8E, 0x0C, 0x3C, 0x00, 0x00, 0x02});
    CHECK((chunk_at(file, kBlock).type == 4 && chunk_at(file, kBlock).length == 20));
    CHECK(offsets == std::vector<std::uint64_t>{7, kBlock - 7});
    const auto result = read_all(path);
    REQUIRE(result.records.size() == 2);
    CHECK(result.records[1].offset == kBlock - 7);
    CHECK(result.records[1].data == second);
}

TEST_CASE("LogWriter refuses to overwrite an existing file", "[run_log][writer][errors]") {
    TempDir dir;
    const auto path = dir.file("run-x.wandb");
    write_log(path, {payload(3, 0)});
    CHECK_THROWS_MATCHES(d::LogWriter(path), wandb::IoError,
                         Catch::Message("wandb::LogWriter: cannot open " + path + ": File exists"));
    CHECK(read_file(path).size() == 7 + 7 + 3);  // untouched
}

TEST_CASE("LogWriter names the path and the system's reason when it cannot create the file",
          "[run_log][writer][errors]") {
    TempDir dir;
    const auto path = dir.file("missing/run-abc.wandb");
    CHECK_THROWS_MATCHES(d::LogWriter(path), wandb::IoError,
                         Catch::Message("wandb::LogWriter: cannot open " + path + ": No such file or directory"));
}

TEST_CASE("LogWriter refuses appends after close", "[run_log][writer][errors]") {
    TempDir dir;
    const auto path = dir.file("run-closed.wandb");
    d::LogWriter w(path);
    w.flush_to_disk();
    w.close();
    w.close();  // idempotent
    CHECK_THROWS_MATCHES(w.append(Bytes{1}), wandb::IoError,
                         Catch::Message("wandb::LogWriter: cannot write " + path + ": the log is closed"));
}

TEST_CASE("A failed write is rolled back so the log stays valid and later appends work",
          "[run_log][writer][errors]") {
    TempDir dir;
    const auto path = dir.file("run-efbig.wandb");
    // In a child: limit file size to 50000 bytes (writes past it fail with EFBIG), append a record
    // that does not fit, then a small one. Exit code: 0 ok, 2 big append did not throw, 3 wrong message.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{50000, 50000};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        int code = 0;
        try {
            d::LogWriter w(path);
            w.append(payload(100, 1));
            try {
                w.append(payload(80000, 2));
                code = 2;
            } catch (const wandb::IoError& e) {
                if (std::string(e.what()) != "wandb::LogWriter: cannot write " + path + ": File too large") code = 3;
            }
            w.append(payload(100, 3));
            w.close();
        } catch (...) {
            code = 4;
        }
        ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const auto result = read_all(path);
    REQUIRE(result.records.size() == 2);
    CHECK(result.records[0].data == payload(100, 1));
    CHECK(result.records[1].data == payload(100, 3));
    CHECK(result.records[1].offset == 7 + 7 + 100);
    CHECK_FALSE(result.problem);
}

// --- Reader: truncation --------------------------------------------------------------------

TEST_CASE("A file cut at every byte offset of its last record reads all earlier records and reports a "
          "truncated tail",
          "[run_log][truncation]") {
    TempDir dir;
    const auto path = dir.file("run-full.wandb");
    // Record A ends 100 bytes before block 0's end; record B (300 bytes) starts there: FIRST chunk of
    // 93 bytes at 32668, LAST chunk of 207 bytes at 32768; the file ends at 32768 + 7 + 207 = 32982.
    const Bytes a = payload(32654, 7), b = payload(300, 8);
    REQUIRE(write_log(path, {a, b}) == std::vector<std::uint64_t>{7, 32668});
    const Bytes file = read_file(path);
    REQUIRE(file.size() == 32982);

    const auto cut_path = dir.file("run-cut.wandb");
    for (std::size_t cut = 32668; cut <= file.size(); ++cut) {
        write_file(cut_path, file, cut);
        const auto result = read_all(cut_path);
        INFO("cut at " << cut);
        REQUIRE(!result.records.empty());
        CHECK(result.records[0].data == a);
        if (cut == 32668 || cut == file.size()) {  // nothing or all of B: a valid log
            CHECK_FALSE(result.problem);
            CHECK(result.records.size() == (cut == 32668 ? 1u : 2u));
            continue;
        }
        CHECK(result.records.size() == 1);
        REQUIRE(result.problem);
        CHECK(result.problem->kind == LogProblem::Kind::truncated_tail);
        CHECK(result.problem->offset == 32668);
        CHECK(result.problem->message ==
              "truncated tail at offset 32668: the file ends at offset " + std::to_string(cut) + " inside a record");
    }
}

TEST_CASE("A record spanning three blocks, cut anywhere, is reported as a truncated tail at its start",
          "[run_log][truncation]") {
    TempDir dir;
    const auto path = dir.file("run-full.wandb");
    const Bytes small = payload(10, 9), big = payload(80000, 10);
    REQUIRE(write_log(path, {small, big}) == std::vector<std::uint64_t>{7, 24});
    const Bytes file = read_file(path);
    std::vector<std::size_t> cuts = {25, 30, 31, 32767, 32768, 32769, 32774, 32775, 65535, 65536, 65537, 65543,
                                     file.size() - 1};
    for (std::size_t c = 40; c < file.size(); c += 997) cuts.push_back(c);
    const auto cut_path = dir.file("run-cut.wandb");
    for (const std::size_t cut : cuts) {
        write_file(cut_path, file, cut);
        RunLogReader reader(cut_path);
        const auto first = reader.next();
        REQUIRE(first);
        CHECK(first->data == small);
        INFO("cut at " << cut);
        CHECK_THROWS_MATCHES(reader.next(), wandb::FormatError,
                             Catch::Message("wandb::RunLogReader: " + cut_path +
                                            ": truncated tail at offset 24: the file ends at offset " +
                                            std::to_string(cut) + " inside a record"));
    }
}

TEST_CASE("A file cut inside a block's zero padding reports a truncated tail where the padding starts",
          "[run_log][truncation]") {
    TempDir dir;
    const auto path = dir.file("run-full.wandb");
    // Record A ends 3 bytes before block 0's end; B starts at 32768 after 3 bytes of padding.
    const Bytes a = payload(32751, 11), b = payload(50, 12);
    REQUIRE(write_log(path, {a, b}) == std::vector<std::uint64_t>{7, kBlock});
    const Bytes file = read_file(path);
    const auto cut_path = dir.file("run-cut.wandb");
    for (std::size_t cut = 32766; cut <= 32767; ++cut) {
        write_file(cut_path, file, cut);
        const auto result = read_all(cut_path);
        REQUIRE(result.records.size() == 1);
        REQUIRE(result.problem);
        CHECK(result.problem->kind == LogProblem::Kind::truncated_tail);
        CHECK(result.problem->offset == 32765);
        CHECK(result.problem->message == "truncated tail at offset 32765: the file ends at offset " +
                                             std::to_string(cut) + " inside a block trailer");
    }
    write_file(cut_path, file, kBlock);  // complete padding, nothing after it: a valid log
    const auto clean = read_all(cut_path);
    CHECK(clean.records.size() == 1);
    CHECK_FALSE(clean.problem);
    write_file(cut_path, file, kBlock + 3);
    const auto cut_b = read_all(cut_path);
    REQUIRE(cut_b.problem);
    CHECK(cut_b.problem->offset == kBlock);
}

TEST_CASE("Zero bytes after the last record (a crash before the data reached disk) are a truncated tail",
          "[run_log][truncation]") {
    TempDir dir;
    const auto path = dir.file("run-zeros.wandb");
    write_log(path, {payload(10, 13)});
    Bytes file = read_file(path);
    file.resize(file.size() + 40000, 0);  // runs into block 1
    write_file(path, file);
    const auto result = read_all(path);
    CHECK(result.records.size() == 1);
    REQUIRE(result.problem);
    CHECK(result.problem->kind == LogProblem::Kind::truncated_tail);
    CHECK(result.problem->offset == 24);
    CHECK(result.problem->message ==
          "truncated tail at offset 24: only zero bytes from offset 24 to the end of the file at offset 40024");
}

// --- Reader: corruption --------------------------------------------------------------------

TEST_CASE("A flipped byte in the middle of a record is reported as a CRC error at its chunk's offset",
          "[run_log][corruption]") {
    TempDir dir;
    const auto path = dir.file("run-flip.wandb");
    // A small record at 7 (ends at 24), a big one whose FIRST chunk is at 24, MIDDLE at 32768, LAST at 65536.
    write_log(path, {payload(10, 14), payload(80000, 15), payload(10, 16)});
    const Bytes good = read_file(path);

    struct Case {
        std::size_t flip;
        std::uint64_t chunk;
    };
    for (const Case c : {Case{40000, kBlock}, Case{100, 24}, Case{70000, 2 * kBlock}, Case{26, 24}}) {
        Bytes bad = good;
        bad[c.flip] ^= 0x10;
        write_file(path + ".bad", bad);
        INFO("flipped byte " << c.flip);
        const auto result = read_all(path + ".bad");
        CHECK(result.records.size() == 1);
        REQUIRE(result.problem);
        CHECK(result.problem->kind == LogProblem::Kind::corrupt);
        CHECK(result.problem->offset == c.chunk);
        CHECK(result.problem->message == "CRC mismatch in chunk at offset " + std::to_string(c.chunk));

        RunLogReader reader(path + ".bad");
        CHECK(reader.next()->data == payload(10, 14));
        const std::string message = "wandb::RunLogReader: " + path + ".bad: CRC mismatch in chunk at offset " +
                                    std::to_string(c.chunk);
        CHECK_THROWS_MATCHES(reader.next(), wandb::FormatError, Catch::Message(message));
        CHECK_THROWS_MATCHES(reader.next(), wandb::FormatError, Catch::Message(message));  // sticky
    }
}

TEST_CASE("Impossible chunk types, orders, lengths and padding are reported as corruption",
          "[run_log][corruption]") {
    TempDir dir;
    const auto path = dir.file("run-bad.wandb");
    struct Case {
        const char* name;
        Bytes file;
        std::uint64_t offset;
        std::string message;
        std::size_t good_records = 0;  // records before the bad spot
    };
    const Bytes fill_block0 = payload(32754, 17);  // a chunk at 7 with this much data ends at 32768
    Bytes overrun = chunk(1, payload(10, 18));
    overrun[4] = 0x40;  // length 0x9C40 = 40000
    overrun[5] = 0x9C;
    Bytes trailer = cat({kHeader, chunk(1, payload(32751, 19)), {0, 1, 0}, chunk(1, payload(4, 20))});
    const std::vector<Case> cases = {
        {"type 5", cat({kHeader, chunk(5, payload(4, 0))}), 7, "invalid chunk type 5 in chunk at offset 7"},
        {"type 0", cat({kHeader, chunk(0, payload(4, 0))}), 7, "invalid chunk type 0 in chunk at offset 7"},
        {"MIDDLE first", cat({kHeader, chunk(3, payload(4, 0))}), 7, "MIDDLE chunk outside a record in chunk at offset 7"},
        {"LAST first", cat({kHeader, chunk(4, payload(4, 0))}), 7, "LAST chunk outside a record in chunk at offset 7"},
        {"FULL inside", cat({kHeader, chunk(2, fill_block0), chunk(1, payload(4, 0))}), kBlock,
         "FULL chunk inside the record at offset 7 in chunk at offset 32768"},
        {"FIRST inside", cat({kHeader, chunk(2, fill_block0), chunk(2, payload(4, 0))}), kBlock,
         "FIRST chunk inside the record at offset 7 in chunk at offset 32768"},
        {"short FIRST", cat({kHeader, chunk(2, payload(4, 0)), chunk(4, payload(4, 0))}), 7,
         "FIRST chunk does not reach the end of its block in chunk at offset 7"},
        {"overrun", cat({kHeader, overrun}), 7, "chunk length 40000 overruns its block in chunk at offset 7"},
        {"trailer", trailer, 32766, "non-zero byte in block trailer at offset 32766", 1},
        {"zero header", cat({kHeader, Bytes(7, 0), chunk(1, payload(4, 0))}), 7, "all-zero chunk header at offset 7"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        write_file(path, c.file);
        const auto result = read_all(path);
        CHECK(result.records.size() == c.good_records);
        REQUIRE(result.problem);
        CHECK(result.problem->kind == LogProblem::Kind::corrupt);
        CHECK(result.problem->offset == c.offset);
        CHECK(result.problem->message == c.message);
    }
}

TEST_CASE("A bad or missing W&B header is rejected with its offset", "[run_log][errors]") {
    TempDir dir;
    const auto path = dir.file("run-header.wandb");
    const auto rejects = [&](const Bytes& file, const std::string& what) {
        write_file(path, file);
        CHECK_THROWS_MATCHES(RunLogReader(path), wandb::FormatError,
                             Catch::Message("wandb::RunLogReader: " + path + ": " + what));
    };
    rejects({}, "file is 0 bytes long, shorter than the 7-byte W&B header");
    rejects({':', 'W', '&'}, "file is 3 bytes long, shorter than the 7-byte W&B header");
    rejects({':', 'W', '&', 'C', 0xE1, 0xBE, 0x00}, "bad identifier at offset 0 (expected \":W&B\")");
    rejects({':', 'W', '&', 'B', 0x34, 0x12, 0x00}, "bad magic 0x1234 at offset 4 (expected 0xBEE1)");
    rejects({':', 'W', '&', 'B', 0xBE, 0xE1, 0x00}, "bad magic 0xE1BE at offset 4 (expected 0xBEE1)");
    rejects({':', 'W', '&', 'B', 0xE1, 0xBE, 0x01}, "unsupported version 1 at offset 6 (expected 0)");

    write_file(path, kHeader);  // a header and nothing else: a valid, empty log
    RunLogReader reader(path);
    CHECK_FALSE(reader.next());
    CHECK_FALSE(reader.next());

    const auto missing = dir.file("nope.wandb");
    CHECK_THROWS_MATCHES(RunLogReader(missing), wandb::IoError,
                         Catch::Message("wandb::RunLogReader: cannot open " + missing + ": No such file or directory"));
}

// --- Records through the log ---------------------------------------------------------------

TEST_CASE("An offline run's records go through the log and decode to their proto field names", "[run_log]") {
    TempDir dir;
    const auto path = dir.file("run-abc.wandb");
    d::LogWriter w(path);
    const auto num = [&] { return static_cast<std::int64_t>(w.records_written() + 1); };
    w.append(d::encode_record(num(), d::HeaderRecord{"wandb-imagemask-cpp 0.1.0", "0.40.0"}));
    d::RunRecord run;
    run.run_id = "abc";
    run.project = "masks";
    run.start_time = d::Timestamp{1700000000, 0};
    w.append(d::encode_record(num(), run));
    d::HistoryRecord h;
    h.items = {{"", {"loss"}, "0.25"}, {"", {"_step"}, "0"}};
    h.step = 0;
    w.append(d::encode_record(num(), h));
    w.append(d::encode_record(num(), d::ExitRecord{0, 12}));
    w.append(d::encode_record(num(), d::FinalRecord{}));
    w.close();

    RunLogReader reader(path);
    std::vector<std::string> got;
    while (auto r = reader.next()) got.push_back(wandb::decode_record(r->data).dump());
    CHECK(got == std::vector<std::string>{
                     R"({"num":1,"header":{"version_info":{"producer":"wandb-imagemask-cpp 0.1.0","min_consumer":"0.40.0"}}})",
                     R"({"num":2,"run":{"run_id":"abc","project":"masks","start_time":{"seconds":1700000000}}})",
                     R"({"num":3,"history":{"item":[{"nested_key":["loss"],"value_json":"0.25"},)"
                     R"({"nested_key":["_step"],"value_json":"0"}],"step":{}}})",
                     R"({"num":4,"exit":{"runtime":12}})",
                     R"({"num":5,"final":{}})",
                 });
}

// --- Crash safety --------------------------------------------------------------------------

namespace {
/// The i-th record the crash test's child writes: a history row, every fifth one ~40 KB so that
/// some records span blocks and take long enough to write that a kill can land inside one.
Bytes crash_record(std::int64_t i) {
    d::HistoryRecord h;
    h.items.push_back({"i", {}, std::to_string(i)});
    if (i % 5 == 3) h.items.push_back({"pad", {}, "\"" + std::string(40000 + static_cast<std::size_t>(i % 997), 'x') + "\""});
    h.step = i;
    return d::encode_record(i + 1, h);
}
}  // namespace

TEST_CASE("A writer killed with SIGKILL while appending leaves a log whose complete records all read back",
          "[run_log][crash]") {
    TempDir dir;
    const auto path = dir.file("run-killed.wandb");
    for (int round = 0; round < 3; ++round) {
        fs::remove(path);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            try {
                d::LogWriter w(path);
                for (std::int64_t i = 0;; ++i) w.append(crash_record(i));
            } catch (...) {
            }
            ::_exit(1);
        }
        // Let the child write a while (a different amount each round), then kill it mid-stream.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        const auto size_now = [&] {
            std::error_code ec;
            const auto size = fs::file_size(path, ec);
            return ec ? 0 : size;
        };
        while (size_now() < 200000u * static_cast<unsigned>(round + 1) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        ::kill(pid, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);

        const auto result = read_all(path);
        INFO("round " << round << ": " << result.records.size() << " records, file size " << fs::file_size(path));
        REQUIRE(result.records.size() > 10);
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < result.records.size(); ++i)
            if (result.records[i].data != crash_record(static_cast<std::int64_t>(i))) ++mismatches;
        CHECK(mismatches == 0);
        if (result.problem) CHECK(result.problem->kind == LogProblem::Kind::truncated_tail);
    }
}

}  // namespace test_run_log
