// Tests for classes.hpp: the class set's JSON, and its validation.
#include <catch2/catch.hpp>

#include <wandb/wandb.hpp>

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_classes {

using Catch::Message;

TEST_CASE("Classes serializes as the SDK's classes object, in the order given", "[classes]") {
    const wandb::Classes classes({{0, "person"}, {1, "tree"}, {2, "car"}, {3, "road"}});
    // wandb-tables-artifacts.md section 1.2 gives this content (there with ", " separators).
    CHECK(wandb::Json(classes).dump() ==
          R"({"_type":"classes","class_set":[{"id":0,"name":"person"},{"id":1,"name":"tree"},{"id":2,"name":"car"},{"id":3,"name":"road"}]})");
    const wandb::Classes reversed({{3, "road"}, {0, "person"}});
    CHECK(nlohmann::json(reversed).dump() ==
          R"({"_type":"classes","class_set":[{"id":3,"name":"road"},{"id":0,"name":"person"}]})");
}

TEST_CASE("Classes from a label map are in id order", "[classes]") {
    const wandb::Classes classes(wandb::ClassLabels{{2, "car"}, {0, "person"}});
    REQUIRE(classes.class_set().size() == 2);
    CHECK(classes.class_set()[0] == wandb::ClassInfo{0, "person"});
    CHECK(classes.class_set()[1] == wandb::ClassInfo{2, "car"});
}

TEST_CASE("Classes rejects a duplicate id, naming the entry", "[classes][errors]") {
    CHECK_THROWS_MATCHES(wandb::Classes({{0, "person"}, {1, "tree"}, {1, "car"}}), wandb::ValidationError,
                         Message(R"(wandb::Classes: duplicate class id 1 (entry 2, name "car"))"));
}

TEST_CASE("Classes rejects empty and non-UTF-8 names", "[classes][errors]") {
    CHECK_THROWS_MATCHES(wandb::Classes({{4, ""}}), wandb::ValidationError,
                         Message("wandb::Classes: name of class id 4 is empty"));
    CHECK_THROWS_MATCHES(wandb::Classes({{4, "ca\xC3"}}), wandb::ValidationError,
                         Message("wandb::Classes: name of class id 4 is not valid UTF-8 (byte 0xc3 at offset 2)"));
    CHECK_THROWS_MATCHES(wandb::Classes({{4, "\xED\xA0\x80"}}), wandb::ValidationError,  // a UTF-16 surrogate
                         Message("wandb::Classes: name of class id 4 is not valid UTF-8 (byte 0xed at offset 0)"));
    CHECK_NOTHROW(wandb::Classes({{4, "voiture \xC3\xA9lectrique \xF0\x9F\x9A\x97"}}));
}

TEST_CASE("A class label may carry a color and still reads, compares and serializes as its name", "[classes][colors]") {
    const wandb::ClassLabels labels = {{0, "person"}, {1, {"car", wandb::Rgb{0, 90, 255}}}};
    CHECK(labels.at(0) == "person");
    CHECK(labels.at(1) == "car");
    CHECK("car" == labels.at(1));
    CHECK(labels.at(1) == std::string("car"));
    CHECK(labels.at(1) != "person");
    CHECK(labels.at(1).size() == 3);
    CHECK(labels.at(1).name() + "s" == "cars");
    CHECK_FALSE(labels.at(0).color().has_value());
    REQUIRE(labels.at(1).color().has_value());
    CHECK(*labels.at(1).color() == wandb::Rgb{0, 90, 255});
    // Two labels are equal when name and color are; a map of labels likewise.
    CHECK(wandb::ClassLabel("car", wandb::Rgb{0, 90, 255}) == wandb::ClassLabel("car", wandb::Rgb{0, 90, 255}));
    CHECK(wandb::ClassLabel("car", wandb::Rgb{0, 90, 255}) != wandb::ClassLabel("car", wandb::Rgb{0, 90, 254}));
    CHECK(wandb::ClassLabel("car", wandb::Rgb{0, 90, 255}) != wandb::ClassLabel("car"));
    CHECK(labels != wandb::ClassLabels{{0, "person"}, {1, "car"}});
    // W&B's payloads carry the names only: {"0": "person", "1": "car"}, as without colors.
    CHECK(wandb::detail::class_labels_json(labels).dump() == R"({"0":"person","1":"car"})");
    CHECK(wandb::Json(wandb::Classes(labels)).dump() ==
          R"({"_type":"classes","class_set":[{"id":0,"name":"person"},{"id":1,"name":"car"}]})");
}

TEST_CASE("A colored label is validated as any name", "[classes][colors][errors]") {
    const xt::xtensor<std::uint8_t, 2> mask = xt::zeros<std::uint8_t>({2, 2});
    CHECK_THROWS_MATCHES(wandb::ImageMask(mask, wandb::ClassLabels{{3, {"", wandb::Rgb{1, 2, 3}}}}), wandb::ValidationError,
                         Message("wandb::ImageMask: class label 3 name is empty"));
}

}  // namespace test_classes
