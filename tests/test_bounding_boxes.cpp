// Tests for bounding_boxes.hpp: box JSON as the SDK writes it, default labels, and validation.
#include <catch2/catch.hpp>

#include <limits>

#include <wandb/wandb.hpp>

#include "support/seed_fixtures.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_bounding_boxes {

using Catch::Message;
using wandb_test::seed_labels;

TEST_CASE("BoundingBoxes2D file content matches the SDK's, byte for byte", "[bounding_boxes]") {
    const wandb::BoundingBoxes2D boxes(
        {wandb::Box2D{wandb::BoxCorners{0.1, 0.2, 0.3, 0.4}, 1, "tree", {{"acc", 0.2}, {"loss", 1.2}}}}, seed_labels);
    // The compact file content given in wandb-tables-artifacts.md section 6.
    CHECK(wandb::Json(boxes).dump() ==
          R"({"box_data":[{"position":{"minX":0.1,"maxX":0.2,"minY":0.3,"maxY":0.4},"class_id":1,"box_caption":"tree","scores":{"acc":0.2,"loss":1.2}}],"class_labels":{"0":"person","1":"tree","2":"car","3":"road"}})");
}

TEST_CASE("A centred pixel-domain box writes middle, width, height and domain", "[bounding_boxes]") {
    const wandb::BoundingBoxes2D boxes({wandb::Box2D{wandb::BoxCenter{{150, 20}, 68, 112}, 3, "a building",
                                                     {{"acc", 0.5}, {"loss", 0.7}}, wandb::BoxDomain::pixel}});
    CHECK(wandb::Json(boxes).dump() ==
          R"({"box_data":[{"position":{"middle":[150.0,20.0],"width":68.0,"height":112.0},"domain":"pixel","class_id":3,"box_caption":"a building","scores":{"acc":0.5,"loss":0.7}}]})");
}

TEST_CASE("Without class labels, boxes default to class_<id> for the ids used and keep them out of the file",
          "[bounding_boxes]") {
    const wandb::BoundingBoxes2D boxes({wandb::Box2D{wandb::BoxCorners{0, 1, 0, 1}, 3},
                                        wandb::Box2D{wandb::BoxCorners{0, 1, 0, 1}, 1},
                                        wandb::Box2D{wandb::BoxCorners{0, 1, 0, 1}, 3}});
    CHECK(boxes.class_labels() == wandb::ClassLabels{{1, "class_1"}, {3, "class_3"}});
    CHECK_FALSE(boxes.class_labels_given());
    CHECK(wandb::Json(boxes).dump() ==
          R"({"box_data":[{"position":{"minX":0.0,"maxX":1.0,"minY":0.0,"maxY":1.0},"class_id":3},{"position":{"minX":0.0,"maxX":1.0,"minY":0.0,"maxY":1.0},"class_id":1},{"position":{"minX":0.0,"maxX":1.0,"minY":0.0,"maxY":1.0},"class_id":3}]})");
}

TEST_CASE("BoundingBoxes2D rejects inverted and non-finite positions, naming the box", "[bounding_boxes][errors]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    auto one = [](wandb::Box2D b) { return wandb::BoundingBoxes2D({wandb::Box2D{wandb::BoxCorners{0, 1, 0, 1}, 0}, b}); };
    CHECK_THROWS_MATCHES(one({wandb::BoxCorners{0.5, 0.2, 0.1, 0.3}, 0}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: box 1: minX 0.5 is greater than maxX 0.2"));
    CHECK_THROWS_MATCHES(one({wandb::BoxCorners{0.1, 0.2, 0.9, 0.3}, 0}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: box 1: minY 0.9 is greater than maxY 0.3"));
    CHECK_THROWS_MATCHES(one({wandb::BoxCorners{0.1, 0.2, 0.3, nan}, 0}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: box 1: maxY is not a finite number (nan)"));
    CHECK_THROWS_MATCHES(one({wandb::BoxCenter{{inf, 1}, 2, 3}, 0}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: box 1: middle[0] is not a finite number (inf)"));
    CHECK_THROWS_MATCHES(one({wandb::BoxCenter{{1, 1}, -2, 3}, 0}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: box 1: width -2 is negative"));
    CHECK_THROWS_MATCHES(one({wandb::BoxCenter{{1, 1}, 2, -0.5}, 0}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: box 1: height -0.5 is negative"));
}

TEST_CASE("BoundingBoxes2D rejects bad scores, captions and labels", "[bounding_boxes][errors]") {
    const wandb::BoxCorners unit{0, 1, 0, 1};
    CHECK_THROWS_MATCHES(wandb::BoundingBoxes2D({{unit, 0, "", {{"acc", 0.1}, {"acc", 0.2}}}}), wandb::ValidationError,
                         Message(R"(wandb::BoundingBoxes2D: box 0: duplicate score name "acc")"));
    CHECK_THROWS_MATCHES(wandb::BoundingBoxes2D({{unit, 0, "", {{"", 0.1}}}}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: box 0: score name is empty"));
    CHECK_THROWS_MATCHES(wandb::BoundingBoxes2D({{unit, 0, "", {{"loss", -std::numeric_limits<double>::infinity()}}}}),
                         wandb::ValidationError,
                         Message(R"(wandb::BoundingBoxes2D: box 0: score "loss" is not a finite number (-inf))"));
    CHECK_THROWS_MATCHES(wandb::BoundingBoxes2D({{unit, 0, "bad \xFF caption"}}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: box 0: box_caption is not valid UTF-8 (byte 0xff at offset 4)"));
    CHECK_THROWS_MATCHES(wandb::BoundingBoxes2D({{unit, 0}}, wandb::ClassLabels{{0, ""}}), wandb::ValidationError,
                         Message("wandb::BoundingBoxes2D: class label 0 name is empty"));
}

TEST_CASE("Box ids may be any int, including negative ones", "[bounding_boxes]") {
    const wandb::BoundingBoxes2D boxes({{wandb::BoxCorners{0, 1, 0, 1}, -7}}, wandb::ClassLabels{{-7, "void"}});
    CHECK(boxes.class_labels().at(-7) == "void");
}

}  // namespace test_bounding_boxes
