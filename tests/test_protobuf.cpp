// Tests for detail/protobuf.hpp, detail/records.hpp, append_row_records (internal/log_call.hpp) and
// decode_record (record_json.hpp). Every expected
// byte string was worked out by hand from the protobuf encoding rules
// (https://protobuf.dev/programming-guides/encoding/) and the field numbers in
// wandb/proto/wandb_internal.proto; the arithmetic for multi-byte varints is in the comments.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <wandb/detail/protobuf.hpp>
#include <wandb/detail/nested_items.hpp>
#include <wandb/detail/records.hpp>
#include <wandb/internal/log_call.hpp>
#include <wandb/record_json.hpp>
#include <wandb/run_log.hpp>

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_protobuf {

namespace d = wandb::detail;
using Bytes = d::Bytes;

namespace {

/// "08 96 01" -> {0x08, 0x96, 0x01}.
Bytes hex(const std::string& text) {
    Bytes out;
    std::istringstream in(text);
    std::string byte;
    while (in >> byte) out.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
    return out;
}

/// The bytes of an ASCII string, for splicing into expected messages.
std::string ascii_hex(const std::string& s) {
    std::string out;
    for (unsigned char c : s) out += d::to_hex(&c, 1) + " ";
    return out;
}

}  // namespace

TEST_CASE("Varints encode in little-endian base-128 groups", "[protobuf]") {
    auto varint = [](std::uint64_t v) {
        d::ProtoEncoder e;
        e.varint(v);
        return e.bytes();
    };
    CHECK(varint(0) == hex("00"));
    CHECK(varint(1) == hex("01"));
    CHECK(varint(127) == hex("7F"));
    CHECK(varint(128) == hex("80 01"));
    CHECK(varint(150) == hex("96 01"));
    CHECK(varint(300) == hex("AC 02"));
    CHECK(varint(std::numeric_limits<std::uint64_t>::max()) == hex("FF FF FF FF FF FF FF FF FF 01"));
}

TEST_CASE("Scalar fields follow the protobuf documentation's examples", "[protobuf]") {
    d::ProtoEncoder e;
    e.int64_field(1, 150);
    CHECK(e.bytes() == hex("08 96 01"));

    d::ProtoEncoder s;
    s.string_field(2, "testing");
    CHECK(s.bytes() == hex("12 07 74 65 73 74 69 6E 67"));

    d::ProtoEncoder b;
    b.bool_field(3, true);
    CHECK(b.bytes() == hex("18 01"));
}

TEST_CASE("A uint64 field takes the whole 64-bit range", "[protobuf]") {
    d::ProtoEncoder e;
    e.uint64_field(1, std::numeric_limits<std::uint64_t>::max());
    CHECK(e.bytes() == hex("08 FF FF FF FF FF FF FF FF FF 01"));
}

TEST_CASE("Negative int32 and int64 values are sign-extended to ten bytes", "[protobuf]") {
    d::ProtoEncoder e;
    e.int64_field(1, -1);
    CHECK(e.bytes() == hex("08 FF FF FF FF FF FF FF FF FF 01"));
    d::ProtoEncoder f;
    f.int32_field(1, -2);
    CHECK(f.bytes() == hex("08 FE FF FF FF FF FF FF FF FF 01"));
}

TEST_CASE("Proto3 scalar defaults are not emitted, nested messages always are", "[protobuf]") {
    d::ProtoEncoder e;
    e.int64_field(1, 0);
    e.int32_field(2, 0);
    e.bool_field(3, false);
    e.string_field(4, "");
    e.uint64_field(5, 0);
    CHECK(e.bytes().empty());
    e.message_field(7, Bytes{});
    CHECK(e.bytes() == hex("3A 00"));
}

TEST_CASE("Keys of field numbers 16 and 200 take two bytes", "[protobuf]") {
    d::ProtoEncoder e;
    e.string_field(16, "x");   // (16<<3)|2 = 130 -> 82 01
    e.string_field(200, "y");  // (200<<3)|2 = 1602 = 12*128 + 66 -> C2 0C
    CHECK(e.bytes() == hex("82 01 01 78 C2 0C 01 79"));
}

TEST_CASE("ProtoReader walks fields with their numbers, wire types and offsets", "[protobuf]") {
    const Bytes b = hex("08 96 01 12 02 68 69 09 00 00 00 00 00 00 F0 3F 15 00 00 80 3F");
    d::ProtoReader r(b.data(), b.size());
    d::ProtoField f;
    REQUIRE(r.next(f));
    CHECK((f.number == 1 && f.type == d::WireType::varint && f.value == 150 && f.offset == 0));
    REQUIRE(r.next(f));
    CHECK((f.number == 2 && f.type == d::WireType::len && f.payload == "hi" && f.offset == 3));
    REQUIRE(r.next(f));
    CHECK((f.number == 1 && f.type == d::WireType::i64 && f.value == 0x3FF0000000000000u && f.offset == 7));
    REQUIRE(r.next(f));
    CHECK((f.number == 2 && f.type == d::WireType::i32 && f.value == 0x3F800000u && f.offset == 16));
    CHECK_FALSE(r.next(f));
}

// --- Records ---------------------------------------------------------------------------------

TEST_CASE("A Header record nests VersionInfo in HeaderRecord field 1 under Record field 21", "[records]") {
    const Bytes got = d::encode_record(1, d::HeaderRecord{"p", "0.40.0"});
    // VersionInfo: 0A 01 'p' 12 06 "0.40.0" (11 bytes); HeaderRecord: 0A 0B <11>;
    // Record: num 08 01, field 21 key (21<<3)|2 = 170 -> AA 01, length 13.
    CHECK(got == hex("08 01 AA 01 0D 0A 0B 0A 01 70 12 06 " + ascii_hex("0.40.0")));
    CHECK(wandb::decode_record(got).dump() ==
          R"({"num":1,"header":{"version_info":{"producer":"p","min_consumer":"0.40.0"}}})");
}

TEST_CASE("A History record keeps nested keys, value_json in field 16, and an explicit step 0", "[records]") {
    d::HistoryRecord h;
    h.items.push_back({"", {"loss"}, "0.5"});
    h.step = 0;
    const Bytes got = d::encode_record(2, h);
    // HistoryItem: 12 04 "loss" 82 01 03 "0.5" (12 bytes); HistoryRecord: 0A 0C <12> 12 00 (16);
    // Record: 08 02 12 10 <16>.
    CHECK(got == hex("08 02 12 10 0A 0C 12 04 " + ascii_hex("loss") + "82 01 03 " + ascii_hex("0.5") + "12 00"));
    CHECK(wandb::decode_record(got).dump() ==
          R"({"num":2,"history":{"item":[{"nested_key":["loss"],"value_json":"0.5"}],"step":{}}})");

    h.step.reset();
    CHECK(d::encode_record(2, h) ==
          hex("08 02 12 0E 0A 0C 12 04 " + ascii_hex("loss") + "82 01 03 " + ascii_hex("0.5")));
}

TEST_CASE("An Exit record with a negative exit code, and an empty Final record", "[records]") {
    const Bytes exit_bytes = d::encode_record(7, d::ExitRecord{-1, 0});
    // RunExitRecord: 08 + ten-byte -1 (11 bytes); Record field 18 key (18<<3)|2 = 146 -> 92 01.
    CHECK(exit_bytes == hex("08 07 92 01 0B 08 FF FF FF FF FF FF FF FF FF 01"));
    CHECK(wandb::decode_record(exit_bytes).dump() == R"({"num":7,"exit":{"exit_code":-1}})");

    const Bytes final_bytes = d::encode_record(9, d::FinalRecord{});
    CHECK(final_bytes == hex("08 09 A2 01 00"));  // field 20: (20<<3)|2 = 162 -> A2 01
    CHECK(wandb::decode_record(final_bytes).dump() == R"({"num":9,"final":{}})");

    CHECK(d::encode_record(0, d::ExitRecord{}) == hex("92 01 00"));  // num 0 and zeros omitted
}

TEST_CASE("A Files record writes policy and type as varints and omits NOW and OTHER", "[records]") {
    d::FilesRecord f;
    f.files.push_back({"a.png", d::FilePolicy::end, d::FileType::media});
    f.files.push_back({"b", d::FilePolicy::now, d::FileType::other});
    const Bytes got = d::encode_record(3, f);
    // item 1: 0A 05 "a.png" 10 01 18 02 (11); item 2: 0A 01 "b" (3); FilesRecord: 0A 0B <11> 0A 03 <3>
    // (18 bytes); Record field 6 key 32.
    CHECK(got == hex("08 03 32 12 0A 0B 0A 05 " + ascii_hex("a.png") + "10 01 18 02 0A 03 0A 01 62"));
    CHECK(wandb::decode_record(got).dump() ==
          R"({"num":3,"files":{"files":[{"path":"a.png","policy":"END","type":"MEDIA"},{"path":"b"}]}})");
}

TEST_CASE("A Run record with config, tags and a start time", "[records]") {
    d::RunRecord r;
    r.run_id = "abc";
    r.project = "p";
    r.config.push_back({"lr", {}, "0.1"});
    r.tags = {"x", "y"};
    r.start_time = d::Timestamp{1700000000, 5};
    const Bytes got = d::encode_record(2, r);
    // 1700000000 = 6*128^4 + 42*128^3 + 79*128^2 + 98*128 + 0 -> varint 80 E2 CF AA 06.
    // run_id 0A 03 "abc" (5); project 1A 01 "p" (3); config 22 0C [0A 0A [0A 02 "lr" 82 01 03 "0.1"]] (14);
    // tags 52 01 "x" 52 01 "y" (6); start_time key 8A 01, Timestamp 08 <5 bytes> 10 05 (11). Total 39 = 0x27.
    CHECK(got == hex("08 02 8A 01 27 0A 03 " + ascii_hex("abc") + "1A 01 70 22 0C 0A 0A 0A 02 " + ascii_hex("lr") +
                     "82 01 03 " + ascii_hex("0.1") + "52 01 78 52 01 79 8A 01 08 08 80 E2 CF AA 06 10 05"));
    CHECK(wandb::decode_record(got).dump() ==
          R"({"num":2,"run":{"run_id":"abc","project":"p","config":{"update":[{"key":"lr","value_json":"0.1"}]},)"
          R"("tags":["x","y"],"start_time":{"seconds":1700000000,"nanos":5}}})");
}

TEST_CASE("Summary and Config records carry update and remove items", "[records]") {
    d::SummaryRecord s;
    s.update.push_back({"", {"a", "b"}, "1"});
    s.remove.push_back({"c", {}, ""});
    const Bytes got = d::encode_record(5, s);
    // update item: 12 01 61 12 01 62 82 01 01 31 (10); remove item: 0A 01 63 (3); SummaryRecord 17 bytes.
    CHECK(got == hex("08 05 1A 11 0A 0A 12 01 61 12 01 62 82 01 01 31 12 03 0A 01 63"));
    CHECK(wandb::decode_record(got).dump() ==
          R"({"num":5,"summary":{"update":[{"nested_key":["a","b"],"value_json":"1"}],"remove":[{"key":"c"}]}})");

    d::ConfigRecord c;
    c.update.push_back({"k", {}, "2"});
    CHECK(d::encode_record(0, c) == hex("2A 09 0A 07 0A 01 6B 82 01 01 32"));
}

TEST_CASE("An Artifact record with a manifest, its storage policy config and one entry", "[records]") {
    d::ArtifactRecord a;
    a.type = "run_table";
    a.name = "n";
    a.aliases = {"latest"};
    a.finalize = true;
    a.incremental_beta1 = true;
    d::ArtifactManifest m;
    m.version = 1;
    m.storage_policy = "wandb-storage-policy-v1";
    m.storage_policy_config.push_back({"storageLayout", "\"V2\""});
    d::ArtifactManifestEntry e;
    e.path = "a.json";
    e.digest = "d";
    e.size = 144;
    e.local_path = "/tmp/x";
    m.contents.push_back(e);
    a.manifest = m;
    const Bytes got = d::encode_record(4, a);
    // manifest: 08 01 (2) | 12 17 <23 bytes> (25) | 1A 15 [0A 0D "storageLayout" 12 04 "\"V2\""] (23)
    //   | 22 16 [0A 06 "a.json" 12 01 "d" 20 90 01 32 06 "/tmp/x"] (24)  -> 74 = 0x4A bytes.
    // ArtifactRecord: 22 09 "run_table" (11) 2A 01 "n" (3) 5A 06 "latest" (8) 62 4A <74> (76) 70 01 (2)
    //   A0 06 01 (field 100: 800 = 6*128 + 32 -> A0 06) (3)  -> 103 = 0x67 bytes. Record field 8 key 42.
    const std::string manifest = "08 01 12 17 " + ascii_hex("wandb-storage-policy-v1") + "1A 15 0A 0D " +
                                 ascii_hex("storageLayout") + "12 04 " + ascii_hex("\"V2\"") + "22 16 0A 06 " +
                                 ascii_hex("a.json") + "12 01 64 20 90 01 32 06 " + ascii_hex("/tmp/x");
    CHECK(got == hex("08 04 42 67 22 09 " + ascii_hex("run_table") + "2A 01 6E 5A 06 " + ascii_hex("latest") +
                     "62 4A " + manifest + "70 01 A0 06 01"));
    CHECK(wandb::decode_record(got).dump() ==
          R"({"num":4,"artifact":{"type":"run_table","name":"n","aliases":["latest"],"manifest":{"version":1,)"
          R"("storage_policy":"wandb-storage-policy-v1","storage_policy_config":[{"key":"storageLayout",)"
          R"("value_json":"\"V2\""}],"contents":[{"path":"a.json","digest":"d","size":144,"local_path":"/tmp/x"}]},)"
          R"("finalize":true,"incremental_beta1":true}})");
}

TEST_CASE("Encoding a string that is not UTF-8 throws ValidationError naming the field", "[records][errors]") {
    d::RunRecord r;
    r.run_id = "abc";
    r.display_name = "ok\xFF";
    CHECK_THROWS_MATCHES(d::encode_record(1, r), wandb::ValidationError,
                         Catch::Message("wandb::encode_record: RunRecord.display_name is not valid UTF-8: "
                                        "bad byte 0xff at offset 2 of 3"));
    d::HistoryRecord h;
    h.items.push_back({"", {"a", "\xC0\xAF"}, "1"});
    CHECK_THROWS_MATCHES(d::encode_record(1, h), wandb::ValidationError,
                         Catch::Message("wandb::encode_record: HistoryItem.nested_key is not valid UTF-8: "
                                        "bad byte 0xc0 at offset 0 of 2"));
}

TEST_CASE("A start time with nanos outside 0..999999999 is rejected", "[records][errors]") {
    d::RunRecord r;
    r.start_time = d::Timestamp{1, 1000000000};
    CHECK_THROWS_MATCHES(d::encode_record(1, r), wandb::ValidationError,
                         Catch::Message("wandb::encode_record: RunRecord.start_time.nanos must be in "
                                        "0..999999999, got 1000000000"));
}

TEST_CASE("A Stats record: a timestamp and items with value_json in field 16", "[records]") {
    d::StatsRecord s;
    s.timestamp = d::Timestamp{1700000000, 5};
    s.items.push_back({"cpu", "12.5"});
    const Bytes got = d::encode_record(3, s);
    // stats_type SYSTEM (0) omitted; timestamp 12 08 [08 80 E2 CF AA 06 10 05] (10);
    // item 1A 0C [0A 03 "cpu" 82 01 04 "12.5"] (14); StatsRecord 24 = 0x18 bytes; Record field 7 key 3A.
    CHECK(got == hex("08 03 3A 18 12 08 08 80 E2 CF AA 06 10 05 1A 0C 0A 03 " + ascii_hex("cpu") + "82 01 04 " +
                     ascii_hex("12.5")));
    CHECK(wandb::decode_record(got).dump() ==
          R"({"num":3,"stats":{"timestamp":{"seconds":1700000000,"nanos":5},"item":[{"key":"cpu","value_json":"12.5"}]}})");
}

TEST_CASE("A Metric record: options, summary, goal and _control as the SDK's define_metric sets them", "[records]") {
    d::MetricRecord m;
    m.name = "acc";
    m.step_metric = "epoch";
    m.options = d::MetricOptions{true, false, true};
    m.summary = d::MetricSummary{};
    m.summary->max = true;
    m.goal = d::MetricGoal::maximize;
    m.control = d::MetricControl{true};
    const Bytes got = d::encode_record(4, m);
    // name 0A 03 "acc" (5); step_metric 22 05 "epoch" (7); options 32 04 [08 01 18 01] (6);
    // summary 3A 02 [10 01] (4); goal 40 02 (2); _control 4A 02 [08 01] (4): 28 = 0x1C bytes.
    // Record field 12: (12<<3)|2 = 98 = 0x62.
    CHECK(got == hex("08 04 62 1C 0A 03 " + ascii_hex("acc") + "22 05 " + ascii_hex("epoch") +
                     "32 04 08 01 18 01 3A 02 10 01 40 02 4A 02 08 01"));
    CHECK(wandb::decode_record(got).dump() ==
          R"({"num":4,"metric":{"name":"acc","step_metric":"epoch","options":{"step_sync":true,"defined":true},)"
          R"("summary":{"max":true},"goal":"GOAL_MAXIMIZE","_control":{"overwrite":true}}})");

    d::MetricRecord glob;  // a present sub-message is written even when all its fields are defaults
    glob.glob_name = "val/*";
    glob.summary = d::MetricSummary{};
    const Bytes glob_bytes = d::encode_record(5, glob);
    CHECK(glob_bytes == hex("08 05 62 09 12 05 " + ascii_hex("val/*") + "3A 00"));
    CHECK(wandb::decode_record(glob_bytes).dump() == R"({"num":5,"metric":{"glob_name":"val/*","summary":{}}})");
}

TEST_CASE("An Environment record holds memory_total in a MemoryInfo only when it is not 0", "[records]") {
    d::EnvironmentRecord e;
    e.cpu_count = 4;
    e.memory_total = 300;
    // cpu_count field 16 varint: key (16<<3)|0 = 128 -> 80 01, 04; memory field 21 key (21<<3)|2 = 170 -> AA 01,
    // MemoryInfo [08 AC 02] (300 -> AC 02). EnvironmentRecord 9 bytes; Record field 26 key (26<<3)|2 = 210 -> D2 01.
    CHECK(d::encode_record(0, e) == hex("D2 01 09 80 01 04 AA 01 03 08 AC 02"));
    e.memory_total = 0;
    CHECK(d::encode_record(0, e) == hex("D2 01 03 80 01 04"));
}

TEST_CASE("A nanos value out of range names the field that holds the Timestamp", "[records][errors]") {
    d::StatsRecord s;
    s.timestamp = d::Timestamp{1, -1};
    CHECK_THROWS_MATCHES(d::encode_record(1, s), wandb::ValidationError,
                         Catch::Message("wandb::encode_record: StatsRecord.timestamp.nanos must be in "
                                        "0..999999999, got -1"));
    d::EnvironmentRecord e;
    e.started_at = d::Timestamp{1, 1000000000};
    CHECK_THROWS_MATCHES(d::encode_record(1, e), wandb::ValidationError,
                         Catch::Message("wandb::encode_record: EnvironmentRecord.started_at.nanos must be in "
                                        "0..999999999, got 1000000000"));
    d::StatsRecord bad_key;
    bad_key.items.push_back({"\xFF", "1"});
    CHECK_THROWS_MATCHES(d::encode_record(1, bad_key), wandb::ValidationError,
                         Catch::Message("wandb::encode_record: StatsItem.key is not valid UTF-8: "
                                        "bad byte 0xff at offset 0 of 1"));
}

// --- decode_record on hand-made input --------------------------------------------------------

TEST_CASE("decode_record keeps unknown fields under their numbers", "[run_log][decode]") {
    // field 11 (telemetry, not modelled) LEN 08 01; field 1000 varint 7: key 8000 = 62*128 + 64 -> C0 3E.
    const Bytes b = hex("08 03 5A 02 08 01 C0 3E 07 C0 3E 09");
    CHECK(wandb::decode_record(b).dump() == R"({"num":3,"11":"0801","1000":[7,9]})");
}

TEST_CASE("decode_record reports malformed input with its byte offset", "[run_log][decode][errors]") {
    CHECK_THROWS_MATCHES(wandb::decode_record(hex("08")), wandb::FormatError,
                         Catch::Message("wandb::decode_record: truncated varint at byte 1 of the record"));
    CHECK_THROWS_MATCHES(
        wandb::decode_record(hex("08 01 12 05 61")), wandb::FormatError,
        Catch::Message("wandb::decode_record: length-delimited field overruns its message at byte 3 of the record"));
    CHECK_THROWS_MATCHES(
        wandb::decode_record(hex("10 01")), wandb::FormatError,
        Catch::Message("wandb::decode_record: Record.history has wire type 0, expected 2 at byte 0 of the record"));
    CHECK_THROWS_MATCHES(wandb::decode_record(hex("0B")), wandb::FormatError,
                         Catch::Message("wandb::decode_record: unsupported wire type 3 at byte 0 of the record"));
    CHECK_THROWS_MATCHES(wandb::decode_record(hex("08 01 9A 01 01 FF")), wandb::FormatError,
                         Catch::Message("wandb::decode_record: Record.uuid is not valid UTF-8 at byte 2 of the record"));
    // A nested error reports the offset within the whole record: the HistoryItem, and its bad key, at byte 4.
    CHECK_THROWS_MATCHES(
        wandb::decode_record(hex("12 04 0A 02 08 01")), wandb::FormatError,
        Catch::Message("wandb::decode_record: HistoryItem.key has wire type 0, expected 2 at byte 4 of the record"));
}

// --- nested messages in place, and a log call's History and Summary records ------------------

TEST_CASE("A nested message written in place has the bytes of message_field, whatever its length", "[protobuf]") {
    // Lengths 0, 127 (one-byte length), 128 and 16383 (two bytes), 16384 (three): the in-place
    // writer moves the body when its length needs more than the one byte it reserved.
    for (const std::size_t n : {0, 1, 127, 128, 300, 16383, 16384, 70000}) {
        INFO(n);
        const std::string body(n, 'x');
        d::ProtoEncoder whole;
        whole.uint64_field(1, 7);
        d::ProtoEncoder inner;
        inner.string_field(3, body);
        whole.message_field(2, inner.bytes());
        whole.bool_field(4, true);

        d::ProtoEncoder in_place;
        in_place.uint64_field(1, 7);
        const std::size_t at = in_place.begin_message(2);
        in_place.string_field(3, body);
        in_place.end_message(at);
        in_place.bool_field(4, true);
        CHECK(in_place.bytes() == whole.bytes());
    }
}

namespace {

/// The History and Summary records of a log call as the library wrote them before
/// append_row_records: RecordItems from append_leaf_items, the Summary a copy of the History's
/// items plus `_wandb.runtime`, each record encoded on its own.
std::vector<Bytes> row_records_by_items(std::int64_t num, const wandb::Json& values, const wandb::Json& meta,
                                        std::int64_t step, std::int64_t runtime) {
    d::HistoryRecord history;
    d::append_leaf_items(values, history.items);
    d::append_leaf_items(meta, history.items);
    d::SummaryRecord summary{history.items, {}};
    summary.update.push_back({std::string(), {"_wandb", "runtime"}, std::to_string(runtime)});
    history.step = step;
    return {d::encode_record(num, history), d::encode_record(num + 1, summary)};
}

std::vector<Bytes> row_records(std::int64_t num, const wandb::Json& values, const wandb::Json& meta, std::int64_t step,
                               std::int64_t runtime) {
    std::vector<Bytes> out;
    d::append_row_records(out, num, values, meta, step, runtime);
    return out;
}

}  // namespace

TEST_CASE("append_row_records writes a History and a Summary record that share their items", "[records]") {
    const std::vector<Bytes> got = row_records(4, wandb::Json{{"loss", 0.5}}, wandb::Json{{"_step", 0}}, 0, 3);
    REQUIRE(got.size() == 2);
    // Items: 0A 0C 12 04 "loss" 82 01 03 "0.5" (14 bytes) and 0A 0B 12 05 "_step" 82 01 01 "0"
    // (13); HistoryRecord: the items and 12 00 (29); Record: 08 04 12 1D <29>.
    const std::string loss = "0A 0C 12 04 " + ascii_hex("loss") + "82 01 03 " + ascii_hex("0.5");
    const std::string step = "0A 0B 12 05 " + ascii_hex("_step") + "82 01 01 " + ascii_hex("0");
    CHECK(got[0] == hex("08 04 12 1D " + loss + step + "12 00"));
    // Summary: the same items and 0A 15 12 06 "_wandb" 12 07 "runtime" 82 01 01 "3" (23): 50 bytes.
    CHECK(got[1] == hex("08 05 1A 32 " + loss + step + "0A 15 12 06 " + ascii_hex("_wandb") + "12 07 " +
                        ascii_hex("runtime") + "82 01 01 " + ascii_hex("3")));
    CHECK(wandb::decode_record(got[1]).dump() ==
          R"({"num":5,"summary":{"update":[{"nested_key":["loss"],"value_json":"0.5"},)"
          R"({"nested_key":["_step"],"value_json":"0"},{"nested_key":["_wandb","runtime"],"value_json":"3"}]}})");
}

TEST_CASE("append_row_records gives the bytes of the HistoryRecord and SummaryRecord of append_leaf_items", "[records]") {
    using wandb::Json;
    const Json meta = {{"_step", 12345}, {"_runtime", 12.3456789}, {"_timestamp", 1733100000.123456}};
    const Json rows[] = {
        Json::object(),
        Json{{"loss", 0.123456789}, {"accuracy", 0.987654321}},
        Json::parse(R"({"loss":0.5,"val/examples":{"_type":"image-file","masks":{"p":{"path":"m.png"}}},)"
                    R"("a.b":[{"x":{}}],"empty":{},"half":{"gone":{},"kept":null},"s":"caf\u00e9 \"q\"\n",)"
                    R"("i":-7,"u":18446744073709551615,"t":true,"f":false,"n":null,"e":1e-300,"big":1.5e300})"),
        Json{{"nan", std::nan("")}, {"inf", HUGE_VAL}, {"-inf", -HUGE_VAL}, {"zero", -0.0}},
        Json{{std::string(200, 'k'), std::string(300, 'v')}},            // items over 127 bytes
        Json{{"long", std::string(20000, 'v')}, {"after", 1}},           // records over 16383 bytes
    };
    for (const Json& row : rows) {
        for (const std::int64_t step : {std::int64_t{0}, std::int64_t{1}, std::int64_t{300},
                                        std::numeric_limits<std::int64_t>::max() - 1}) {
            INFO(row.dump() << " at step " << step);
            CHECK(row_records(7, row, meta, step, 42) == row_records_by_items(7, row, meta, step, 42));
            CHECK(row_records(1, row, Json::object(), step, 0) == row_records_by_items(1, row, Json::object(), step, 0));
        }
    }
}

TEST_CASE("append_row_records refuses a label that is not UTF-8 as the History encoding does", "[records][errors]") {
    const wandb::Json row = {{"a", {{std::string("\xC0\xAF"), 1}}}};
    CHECK_THROWS_MATCHES(row_records(1, row, wandb::Json::object(), 0, 0), wandb::ValidationError,
                         Catch::Message("wandb::encode_record: HistoryItem.nested_key is not valid UTF-8: "
                                        "bad byte 0xc0 at offset 0 of 2"));
    CHECK_THROWS_MATCHES(row_records_by_items(1, row, wandb::Json::object(), 0, 0), wandb::ValidationError,
                         Catch::Message("wandb::encode_record: HistoryItem.nested_key is not valid UTF-8: "
                                        "bad byte 0xc0 at offset 0 of 2"));
}

}  // namespace test_protobuf
