// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of bounding_boxes.hpp: the checks of boxes and their labels.

#include "bounding_boxes.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <unordered_set>

#include "detail/text.hpp"
#include "error.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE BoundingBoxes2D::BoundingBoxes2D(std::vector<Box2D> box_data, std::optional<ClassLabels> class_labels)
    : boxes_(std::move(box_data)), labels_given_(class_labels.has_value()) {
    for (std::size_t i = 0; i < boxes_.size(); ++i) validate_box(boxes_[i], i);
    if (class_labels) {
        detail::validate_class_labels(*class_labels, who, std::numeric_limits<int>::min(),
                                      std::numeric_limits<int>::max());
        labels_ = std::move(*class_labels);
    } else {
        std::set<int> ids;
        for (const Box2D& b : boxes_) ids.insert(b.class_id);
        labels_ = detail::default_class_labels(ids);
    }
}

WANDB_IMAGEMASK_INLINE void BoundingBoxes2D::require_finite(double v, std::size_t index, const char* field) {
    if (!std::isfinite(v))
        throw ValidationError(std::string(who) + ": box " + std::to_string(index) + ": " + field +
                              " is not a finite number (" + detail::number_text(v) + ")");
}

WANDB_IMAGEMASK_INLINE void BoundingBoxes2D::validate_box(const Box2D& box, std::size_t i) {
    const std::string at = std::string(who) + ": box " + std::to_string(i) + ": ";
    if (const auto* c = std::get_if<BoxCorners>(&box.position)) {
        require_finite(c->min_x, i, "minX");
        require_finite(c->max_x, i, "maxX");
        require_finite(c->min_y, i, "minY");
        require_finite(c->max_y, i, "maxY");
        if (c->min_x > c->max_x)
            throw ValidationError(at + "minX " + detail::number_text(c->min_x) + " is greater than maxX " +
                                  detail::number_text(c->max_x));
        if (c->min_y > c->max_y)
            throw ValidationError(at + "minY " + detail::number_text(c->min_y) + " is greater than maxY " +
                                  detail::number_text(c->max_y));
    } else {
        const auto& m = std::get<BoxCenter>(box.position);
        require_finite(m.middle[0], i, "middle[0]");
        require_finite(m.middle[1], i, "middle[1]");
        require_finite(m.width, i, "width");
        require_finite(m.height, i, "height");
        if (m.width < 0) throw ValidationError(at + "width " + detail::number_text(m.width) + " is negative");
        if (m.height < 0) throw ValidationError(at + "height " + detail::number_text(m.height) + " is negative");
    }
    detail::require_utf8(box.box_caption, who, "box " + std::to_string(i) + ": box_caption");
    std::unordered_set<std::string> names;
    for (const auto& [name, value] : box.scores) {
        detail::require_name(name, who, "box " + std::to_string(i) + ": score name");
        if (!names.insert(name).second) throw ValidationError(at + "duplicate score name " + detail::quoted(name));
        if (!std::isfinite(value))
            throw ValidationError(at + "score " + detail::quoted(name) + " is not a finite number (" +
                                  detail::number_text(value) + ")");
    }
}

WANDB_NAMESPACE_END
