// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of classes.hpp: the checks of class sets and label maps, and a label map as JSON.

#include "classes.hpp"

#include <unordered_set>

#include "detail/text.hpp"
#include "error.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE Classes::Classes(std::vector<ClassInfo> class_set) : class_set_(std::move(class_set)) {
    std::unordered_set<int> seen;
    for (std::size_t i = 0; i < class_set_.size(); ++i) {
        const ClassInfo& c = class_set_[i];
        detail::require_name(c.name, "wandb::Classes", "name of class id " + std::to_string(c.id));
        if (!seen.insert(c.id).second)
            throw ValidationError("wandb::Classes: duplicate class id " + std::to_string(c.id) +
                                  " (entry " + std::to_string(i) + ", name " + detail::quoted(c.name) + ")");
    }
}

WANDB_IMAGEMASK_INLINE std::vector<ClassInfo> Classes::from_labels(const ClassLabels& labels) {
    std::vector<ClassInfo> set;
    for (const auto& [id, name] : labels) set.push_back({id, name});
    return set;
}

namespace detail {

WANDB_IMAGEMASK_INLINE void validate_class_labels(const ClassLabels& labels, const char* who, long min_id, long max_id) {
    for (const auto& [id, name] : labels) {
        if (id < min_id || id > max_id)
            throw ValidationError(std::string(who) + ": class label id " + std::to_string(id) + " is outside " +
                                  std::to_string(min_id) + ".." + std::to_string(max_id));
        require_name(name, who, "class label " + std::to_string(id) + " name");
    }
}

WANDB_IMAGEMASK_INLINE Json class_labels_json(const ClassLabels& labels) {
    Json j = Json::object();
    for (const auto& [id, label] : labels) j[std::to_string(id)] = label.name();
    return j;
}

}  // namespace detail

WANDB_NAMESPACE_END
