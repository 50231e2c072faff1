// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Class ids and their names: the `class_labels` maps of masks and boxes, and the `wandb.Classes`
/// set an Image carries.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "json.hpp"

WANDB_NAMESPACE_BEGIN

/// An sRGB color, 8 bits per channel: `wandb::Rgb{230, 25, 75}`.
struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
    friend bool operator==(const Rgb& x, const Rgb& y) { return x.r == y.r && x.g == y.g && x.b == y.b; }
    friend bool operator!=(const Rgb& x, const Rgb& y) { return !(x == y); }
};

/// The name of a class in a label map and, optionally, the color to draw it in. It is the name
/// itself (a std::string), so labels read and compare as strings: `labels.at(3) == "car"`. The
/// color is for this library's own report (`wandb-imagemask view`, recorded beside the run);
/// W&B's payloads carry the name only, so a color changes nothing that is uploaded.
/// `{{0, "person"}, {1, {"car", wandb::Rgb{0, 90, 255}}}}` gives class 1 a color.
class ClassLabel : public std::string {
public:
    ClassLabel() = default;
    /// A name without a color.
    ClassLabel(const char* name) : std::string(name) {}
    /// \copydoc ClassLabel(const char*)
    ClassLabel(std::string name) : std::string(std::move(name)) {}
    /// A name and the color the report draws the class in.
    ClassLabel(std::string name, Rgb color) : std::string(std::move(name)), color_(color) {}

    /// The name.
    const std::string& name() const noexcept { return *this; }
    /// The color given, if any (the report then uses it instead of its palette).
    const std::optional<Rgb>& color() const noexcept { return color_; }

    /// Equal when the names and the colors are.
    friend bool operator==(const ClassLabel& x, const ClassLabel& y) { return x.name() == y.name() && x.color_ == y.color_; }
    friend bool operator!=(const ClassLabel& x, const ClassLabel& y) { return !(x == y); }
    /// A label equals a plain name when its name does (whatever its color).
    friend bool operator==(const ClassLabel& x, const std::string& y) { return x.name() == y; }
    friend bool operator==(const std::string& x, const ClassLabel& y) { return x == y.name(); }
    friend bool operator==(const ClassLabel& x, const char* y) { return x.name() == y; }
    friend bool operator==(const char* x, const ClassLabel& y) { return x == y.name(); }
    friend bool operator!=(const ClassLabel& x, const std::string& y) { return !(x == y); }
    friend bool operator!=(const std::string& x, const ClassLabel& y) { return !(x == y); }
    friend bool operator!=(const ClassLabel& x, const char* y) { return !(x == y); }
    friend bool operator!=(const char* x, const ClassLabel& y) { return !(x == y); }

private:
    std::optional<Rgb> color_;
};

/// Class id -> readable name (and optional color), as in the SDK's `class_labels={0: "person",
/// 1: "tree"}`. Ordered by id; serialized as a JSON object with the ids as strings and the names
/// only: {"0": "person", ...}.
using ClassLabels = std::map<int, ClassLabel>;

/// One entry of a class set: `{"id": 0, "name": "person"}`.
struct ClassInfo {
    int id = 0;
    std::string name;
    friend bool operator==(const ClassInfo& a, const ClassInfo& b) { return a.id == b.id && a.name == b.name; }
};

/// A set of classes, the C++ `wandb.Classes([{"name": "person", "id": 0}, ...])`. Keeps the
/// order given: it is part of what the artifact's classes file is named by.
class Classes {
public:
    /// \param class_set  the classes; ids unique, names non-empty UTF-8.
    /// \throws wandb::ValidationError on a duplicate id or a bad name, naming the entry.
    Classes(std::vector<ClassInfo> class_set);
    /// \copydoc Classes(std::vector<ClassInfo>)
    Classes(std::initializer_list<ClassInfo> class_set) : Classes(std::vector<ClassInfo>(class_set)) {}
    /// A class set from a label map, in id order.
    /// \throws wandb::ValidationError on a bad name.
    explicit Classes(const ClassLabels& labels) : Classes(from_labels(labels)) {}

    /// The classes in the order given.
    const std::vector<ClassInfo>& class_set() const noexcept { return class_set_; }
    /// True when the set has no classes.
    bool empty() const noexcept { return class_set_.empty(); }

    friend bool operator==(const Classes& a, const Classes& b) { return a.class_set_ == b.class_set_; }

private:
    static std::vector<ClassInfo> from_labels(const ClassLabels& labels);
    std::vector<ClassInfo> class_set_;
};

/// `{"id": 0, "name": "person"}`.
template <class BasicJson>
void to_json(BasicJson& j, const ClassInfo& c) {
    j = BasicJson::object();
    j["id"] = c.id;
    j["name"] = c.name;
}

/// `{"_type": "classes", "class_set": [...]}`, the content of a `.classes.json` file.
template <class BasicJson>
void to_json(BasicJson& j, const Classes& classes) {
    j = BasicJson::object();
    j["_type"] = "classes";
    j["class_set"] = BasicJson::array();
    for (const ClassInfo& c : classes.class_set()) j["class_set"].push_back(c);
}

namespace detail {

/// Checks a label map: every id in [min_id, max_id] and every name non-empty UTF-8.
/// \param who  message prefix, e.g. "wandb::ImageMask".
/// \throws ValidationError naming the offending id or name.
void validate_class_labels(const ClassLabels& labels, const char* who, long min_id, long max_id);

/// `{"0": "person", ...}`: how the SDK writes a label map (int keys become strings).
Json class_labels_json(const ClassLabels& labels);

/// `{"class_0": ...}`-style defaults: "class_<id>" for each id, as the SDK names unlabelled classes.
template <class Ids>
ClassLabels default_class_labels(const Ids& ids) {
    ClassLabels labels;
    for (auto id : ids) labels.emplace(static_cast<int>(id), "class_" + std::to_string(static_cast<int>(id)));
    return labels;
}

}  // namespace detail
WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "classes-inl.hpp"
#endif
