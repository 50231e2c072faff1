// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::BoundingBoxes2D`: boxes to overlay on an Image, the C++
/// `wandb.BoundingBoxes2D({"box_data": [...], "class_labels": {...}})`.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "classes.hpp"
#include "json.hpp"

WANDB_NAMESPACE_BEGIN

/// A box by its edges: `{"minX", "maxX", "minY", "maxY"}`.
struct BoxCorners {
    double min_x = 0, max_x = 0, min_y = 0, max_y = 0;
};

/// A box by its centre and size: `{"middle": [x, y], "width", "height"}`.
struct BoxCenter {
    std::array<double, 2> middle{};
    double width = 0, height = 0;
};

/// Where box coordinates live: fractions 0..1 of the image (the default), or pixels.
enum class BoxDomain { relative, pixel };

/// One box of `box_data`, its arguments in the order the SDK's docs list the fields:
/// `wandb::Box2D{wandb::BoxCorners{0.1, 0.2, 0.3, 0.4}, 1, "car", {{"acc", 0.2}}}`.
struct Box2D {
    /// \param box_position  edges or centre+size.  \param box_class_id  the class of the box.
    /// \param caption  text shown above the box ("" = none).  \param box_scores  named numbers for
    /// filtering in the UI, in order.  \param box_domain  relative (fractions of the image) or pixel.
    Box2D(std::variant<BoxCorners, BoxCenter> box_position, int box_class_id, std::string caption = {},
          std::vector<std::pair<std::string, double>> box_scores = {}, BoxDomain box_domain = BoxDomain::relative)
        : position(box_position), class_id(box_class_id), box_caption(std::move(caption)), scores(std::move(box_scores)),
          domain(box_domain) {}

    std::variant<BoxCorners, BoxCenter> position;
    int class_id = 0;
    std::string box_caption;
    std::vector<std::pair<std::string, double>> scores;
    BoxDomain domain = BoxDomain::relative;
};

/// A layer of boxes for one Image, with the names of their classes.
class BoundingBoxes2D {
public:
    /// \param box_data  the boxes.  \param class_labels  id -> name; when absent, "class_<id>" for
    ///        each class id used (and, as in the SDK, not written into the boxes file).
    /// \throws wandb::ValidationError  naming the box (by index) and field: a non-finite coordinate
    ///         or score, min greater than max, a negative width or height, an empty or duplicate
    ///         score name, a caption or name that is not UTF-8, an empty label name.
    explicit BoundingBoxes2D(std::vector<Box2D> box_data, std::optional<ClassLabels> class_labels = std::nullopt);

    /// The boxes.
    const std::vector<Box2D>& box_data() const noexcept { return boxes_; }
    /// id -> name: the labels given, or the defaults.
    const ClassLabels& class_labels() const noexcept { return labels_; }
    /// True when the caller gave class labels (they are then part of the boxes file).
    bool class_labels_given() const noexcept { return labels_given_; }

private:
    static constexpr const char* who = "wandb::BoundingBoxes2D";

    static void require_finite(double v, std::size_t index, const char* field);
    static void validate_box(const Box2D& box, std::size_t i);

    std::vector<Box2D> boxes_;
    ClassLabels labels_;
    bool labels_given_ = false;
};

/// One box as the SDK writes it: position, then domain (only "pixel"), class_id, box_caption
/// (when set), scores (when any).
template <class BasicJson>
void to_json(BasicJson& j, const Box2D& box) {
    j = BasicJson::object();
    BasicJson position = BasicJson::object();
    if (const auto* c = std::get_if<BoxCorners>(&box.position)) {
        position["minX"] = c->min_x;
        position["maxX"] = c->max_x;
        position["minY"] = c->min_y;
        position["maxY"] = c->max_y;
    } else {
        const auto& m = std::get<BoxCenter>(box.position);
        position["middle"] = {m.middle[0], m.middle[1]};
        position["width"] = m.width;
        position["height"] = m.height;
    }
    j["position"] = std::move(position);
    if (box.domain == BoxDomain::pixel) j["domain"] = "pixel";
    j["class_id"] = box.class_id;
    if (!box.box_caption.empty()) j["box_caption"] = box.box_caption;
    if (!box.scores.empty()) {
        BasicJson scores = BasicJson::object();
        for (const auto& [name, value] : box.scores) scores[name] = value;
        j["scores"] = std::move(scores);
    }
}

/// The content of a `.boxes2D.json` file: `{"box_data": [...]}` plus `"class_labels"` when given.
template <class BasicJson>
void to_json(BasicJson& j, const BoundingBoxes2D& boxes) {
    j = BasicJson::object();
    j["box_data"] = BasicJson::array();
    for (const Box2D& b : boxes.box_data()) j["box_data"].push_back(b);
    if (boxes.class_labels_given()) j["class_labels"] = detail::class_labels_json(boxes.class_labels());
}

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "bounding_boxes-inl.hpp"
#endif
