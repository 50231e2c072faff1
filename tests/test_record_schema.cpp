// Tests for the record schema (detail/records.hpp, detail/proto_schema.hpp): every message the
// schema describes, with each field's number, name, type and label, is compared with the facts
// read from W&B's .proto files by tests/tools/proto_fields.py (tests/data/wandb_proto_fields.txt),
// less the fields left out on purpose (tests/data/wandb_proto_fields_not_modelled.txt). A field
// number typed wrong in the schema, used by both the writer and decode_record, fails here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <wandb/detail/moved_paths.hpp>
#include <wandb/detail/proto_schema.hpp>
#include <wandb/detail/records.hpp>

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_record_schema {

namespace d = wandb::detail;
namespace proto = wandb::detail::proto;

namespace {

/// The lines of a facts file, comments and blank lines left out.
std::vector<std::string> read_facts(const std::string& name) {
    const std::string path = std::string(WANDB_TEST_SOURCE_DIR) + "/tests/data/" + name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') out.push_back(line);
    return out;
}

std::string type_name(const proto::Field& f) {
    switch (f.kind) {
        case proto::Kind::string: return "string";
        case proto::Kind::int64: return "int64";
        case proto::Kind::int32: return "int32";
        case proto::Kind::uint32: return "uint32";
        case proto::Kind::uint64: return "uint64";
        case proto::Kind::boolean: return "bool";
        case proto::Kind::enumeration: return f.enumeration->name;
        case proto::Kind::message: return f.message->name;
    }
    return "?";
}

/// The facts lines of `m` and of every message and enum it reaches, each once.
void dump(const proto::Message& m, std::set<const void*>& seen, std::vector<std::string>& out) {
    if (!seen.insert(&m).second) return;
    for (const proto::Field& f : m) {
        out.push_back(std::string(m.name) + "." + f.name + " " + std::to_string(f.number) + " " + type_name(f) + " " +
                      (f.label == proto::Label::repeated ? "repeated" : "singular"));
        if (f.kind == proto::Kind::message) dump(*f.message, seen, out);
        if (f.kind == proto::Kind::enumeration && seen.insert(f.enumeration).second)
            for (std::size_t v = 0; v < f.enumeration->count; ++v)
                out.push_back(std::string(f.enumeration->name) + "." + f.enumeration->names[v] + " " +
                              std::to_string(v) + " enum value");
    }
}

std::string field_of(const std::string& line) { return line.substr(0, line.find(' ')); }

}  // namespace

TEST_CASE("The record schema matches the field facts of W&B's .proto files", "[records][schema]") {
    const std::vector<std::string> facts = read_facts("wandb_proto_fields.txt");
    const std::vector<std::string> left_out_list = read_facts("wandb_proto_fields_not_modelled.txt");
    const std::set<std::string> left_out(left_out_list.begin(), left_out_list.end());
    REQUIRE(facts.size() > 150);

    std::set<std::string> fact_fields;
    std::vector<std::string> want;
    for (const std::string& line : facts) {
        fact_fields.insert(field_of(line));
        if (!left_out.count(field_of(line))) want.push_back(line);
    }
    for (const std::string& name : left_out) {
        INFO("not-modelled entry " << name);
        CHECK(fact_fields.count(name) == 1);
    }

    std::vector<std::string> got;
    std::set<const void*> seen;
    dump(d::schema::record, seen, got);
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());  // no message described twice

    std::vector<std::string> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
    for (const std::string& line : missing) FAIL_CHECK("the schema lacks the fact: " << line);
    for (const std::string& line : extra) FAIL_CHECK("the schema has a line that is not a fact: " << line);
    CHECK(got.size() == want.size());
}

TEST_CASE("Every record body the library writes is held by the Record field of its message", "[records][schema]") {
    // Record field numbers from wandb_internal.proto.
    CHECK(proto::field_for<d::HistoryRecord>(d::schema::record).number == 2);
    CHECK(proto::field_for<d::SummaryRecord>(d::schema::record).number == 3);
    CHECK(proto::field_for<d::ConfigRecord>(d::schema::record).number == 5);
    CHECK(proto::field_for<d::FilesRecord>(d::schema::record).number == 6);
    CHECK(proto::field_for<d::StatsRecord>(d::schema::record).number == 7);
    CHECK(proto::field_for<d::ArtifactRecord>(d::schema::record).number == 8);
    CHECK(proto::field_for<d::MetricRecord>(d::schema::record).number == 12);
    CHECK(proto::field_for<d::RunRecord>(d::schema::record).number == 17);
    CHECK(proto::field_for<d::ExitRecord>(d::schema::record).number == 18);
    CHECK(proto::field_for<d::FinalRecord>(d::schema::record).number == 20);
    CHECK(proto::field_for<d::HeaderRecord>(d::schema::record).number == 21);
    CHECK(proto::field_for<d::EnvironmentRecord>(d::schema::record).number == 26);
}

TEST_CASE("Field-number paths come from the schema by name", "[records][schema]") {
    // Record.artifact = 8 -> ArtifactRecord.manifest = 12 -> ArtifactManifest.contents = 4 ->
    // ArtifactManifestEntry.local_path = 6; ArtifactManifest.manifest_file_path = 5.
    const std::vector<std::vector<std::uint32_t>> want = {{8, 12, 4, 6}, {8, 12, 5}};
    CHECK(d::absolute_path_fields() == want);
    CHECK_THROWS_MATCHES(proto::field_numbers(d::schema::record, {"artifact", "manifest", "nope"}), std::logic_error,
                         Catch::Message("wandb::detail::proto::field_numbers: no field nope"));
    CHECK_THROWS_AS(proto::field_numbers(d::schema::record, {"uuid", "x"}), std::logic_error);  // a string has no fields
}

}  // namespace test_record_schema
