// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The SDK's table type system (`wandb/sdk/data_types/_dtypes.py` and `_ImageFileType` in
/// `image.py`), for the values a wandb::Table holds: how a column's type is inferred from its
/// cells, merged row by row, checked, and written as `column_types` JSON.
///
/// What is reproduced, from the SDK's source:
/// - `type_of`: null -> none; bool -> boolean; int/float -> number, except a float NaN -> none;
///   str -> string; dict -> typedDict{key: type_of(value)}; list -> list(element, length), whose
///   element starts as unknown (union[none, unknown] if the list holds a null) and takes each item
///   in turn (a list mixing types gets element type `invalid`, as in the SDK); an Image ->
///   image-file with its six params.
/// - `assign` (value mode, what `Table.add_data` does): simple types accept only their own kind;
///   unknown becomes the value's type; a union tries its members in order and replaces its one
///   unknown; a list takes each item of any iterable value (JSON arrays, and, as Python iterates
///   them, the characters of a string or the keys of an object) and keeps the *last* length; a
///   typedDict takes objects whose keys are a subset of its own (a missing key is assigned null);
///   image-file merges (`_ImageFileType.assign_type`).
/// - unions are flattened and stably sorted by the Python `repr` of their members ("Boolean" <
///   "Image-file(...)" < "None" < "Number" < "String" < "Unknown" < "{...}"; a list is
///   "<element>[]"), so a number column is [none, number] and an image column [image-file, none].
/// - image-file params: `box_layers`/`mask_layers` {layer: set of class ids}, `box_score_keys`
///   set of score names, `box_class_maps`/`mask_class_maps` {layer: {str(id): name}}, `class_map`
///   {str(id): name} from the Image's merged class set; merging unions ids and score keys, and for
///   every name map the earlier rows' name wins on an id collision. Id sets are written in CPython
///   set order (python_set.hpp); score-name sets, whose order CPython randomizes per process, are
///   written sorted.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "../histogram.hpp"
#include "../image.hpp"
#include "../json.hpp"
#include "../detail/python_repr.hpp"
#include "../detail/python_set.hpp"
#include "../detail/text.hpp"
#include "../detail/utf8.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The `wb_type` kinds a table column can take.
/// `python_object` is the SDK's PythonObjectType, the type of a WBValue without a type of its own
/// (a Histogram: `{"wb_type": "pythonObject", "params": {"class_name": "Histogram"}}`).
enum class WbKind { invalid, unknown, none, string, number, boolean, list, typed_dict, union_type, image_file, python_object };

/// The params of an `image-file` type.
struct ImageFileTypeParams {
    std::map<std::string, PyIntSet> box_layers;
    std::set<std::string> box_score_keys;
    std::map<std::string, PyIntSet> mask_layers;
    std::map<std::string, std::map<std::string, std::string>> box_class_maps;
    std::map<std::string, std::map<std::string, std::string>> mask_class_maps;
    std::map<std::string, std::string> class_map;
};

struct WbType;
/// Types are immutable and shared.
using WbTypePtr = std::shared_ptr<const WbType>;

/// One `_dtypes` type.
struct WbType {
    WbKind kind = WbKind::unknown;
    std::vector<WbTypePtr> allowed;                           ///< union members, sorted by repr
    WbTypePtr element;                                        ///< list element type
    std::optional<std::int64_t> length;                       ///< list length (null when unknown)
    std::vector<std::pair<std::string, WbTypePtr>> type_map;  ///< typedDict, in insertion order
    std::shared_ptr<const ImageFileTypeParams> image;         ///< image-file params
    const char* class_name = nullptr;                         ///< pythonObject: the Python class name
};

/// A cell value as the type system sees it: a JSON value, an Image or a Histogram.
using WbValue = std::variant<const Json*, const Image*, const Histogram*>;

/// The shared instance of a parameterless type.
inline WbTypePtr simple_type(WbKind kind) {
    static const WbTypePtr types[] = {
        std::make_shared<const WbType>(WbType{WbKind::invalid, {}, {}, {}, {}, {}}),
        std::make_shared<const WbType>(WbType{WbKind::unknown, {}, {}, {}, {}, {}}),
        std::make_shared<const WbType>(WbType{WbKind::none, {}, {}, {}, {}, {}}),
        std::make_shared<const WbType>(WbType{WbKind::string, {}, {}, {}, {}, {}}),
        std::make_shared<const WbType>(WbType{WbKind::number, {}, {}, {}, {}, {}}),
        std::make_shared<const WbType>(WbType{WbKind::boolean, {}, {}, {}, {}, {}}),
    };
    return types[static_cast<int>(kind)];
}

/// The SDK's `Type.__repr__`, which orders union members. Exact for every kind that can share a
/// union with another (simple types, lists, unions); an image-file or typedDict only needs its
/// first character ('I', '{'), as a union never holds two of them.
inline std::string wb_repr(const WbType& t) {
    switch (t.kind) {
        case WbKind::invalid: return "Invalid";
        case WbKind::unknown: return "Unknown";
        case WbKind::none: return "None";
        case WbKind::string: return "String";
        case WbKind::number: return "Number";
        case WbKind::boolean: return "Boolean";
        case WbKind::list: return wb_repr(*t.element) + "[]";
        case WbKind::union_type: {
            std::string out;
            for (std::size_t i = 0; i < t.allowed.size(); ++i) {
                if (i > 0) out += " or ";
                out += wb_repr(*t.allowed[i]);
            }
            return out;
        }
        case WbKind::typed_dict: {
            std::string out = "{";
            for (std::size_t i = 0; i < t.type_map.size(); ++i) {
                if (i > 0) out += ", ";
                out += python_str_repr(t.type_map[i].first) + ": " + wb_repr(*t.type_map[i].second);
            }
            return out + "}";
        }
        case WbKind::image_file: return "Image-file(box_layers:..., box_score_keys:..., mask_layers:..., class_map:...)";
        case WbKind::python_object: return std::string("Pythonobject(class_name:") + t.class_name + ")";
    }
    return "";
}

/// `UnionType(types)`: flattened, then stably sorted by repr.
inline WbTypePtr make_union(const std::vector<WbTypePtr>& types) {
    std::vector<std::pair<std::string, WbTypePtr>> keyed;
    for (const WbTypePtr& t : types) {
        if (t->kind == WbKind::union_type) {
            for (const WbTypePtr& inner : t->allowed) keyed.emplace_back(wb_repr(*inner), inner);
        } else {
            keyed.emplace_back(wb_repr(*t), t);
        }
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    WbType u;
    u.kind = WbKind::union_type;
    for (auto& k : keyed) u.allowed.push_back(std::move(k.second));
    return std::make_shared<const WbType>(std::move(u));
}

/// `ListType(element, length)`.
inline WbTypePtr make_list(WbTypePtr element, std::optional<std::int64_t> length) {
    WbType t;
    t.kind = WbKind::list;
    t.element = std::move(element);
    t.length = length;
    return std::make_shared<const WbType>(std::move(t));
}

/// `OptionalType(UnknownType())`: a new column's type, union[none, unknown].
inline WbTypePtr optional_unknown() { return make_union({simple_type(WbKind::unknown), simple_type(WbKind::none)}); }

/// The kind `type_of(value)` has, without building the whole type.
inline WbKind kind_of(const WbValue& value) {
    if (std::holds_alternative<const Image*>(value)) return WbKind::image_file;
    if (std::holds_alternative<const Histogram*>(value)) return WbKind::python_object;
    const Json& j = *std::get<const Json*>(value);
    switch (j.type()) {
        case Json::value_t::null: return WbKind::none;
        case Json::value_t::boolean: return WbKind::boolean;
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned: return WbKind::number;
        case Json::value_t::number_float: return std::isnan(j.get<double>()) ? WbKind::none : WbKind::number;
        case Json::value_t::string: return WbKind::string;
        case Json::value_t::object: return WbKind::typed_dict;
        case Json::value_t::array: return WbKind::list;
        default: return WbKind::invalid;
    }
}

/// The params `_ImageFileType.from_obj` derives from an Image (see the file comment). Class
/// labels iterate in id order: that is the insertion order of the SDK's dicts for a C++ ClassLabels.
inline ImageFileTypeParams image_type_params(const Image& image) {
    auto ids_of = [](const ClassLabels& labels) {
        std::vector<int> ids;
        for (const auto& entry : labels) ids.push_back(entry.first);
        return PyIntSet::copy_of(PyIntSet::from_sequence(ids));  // set(keys()), then set() again in __init__
    };
    auto names_of = [](const ClassLabels& labels) {
        std::map<std::string, std::string> names;
        for (const auto& [id, name] : labels) names[std::to_string(id)] = name;
        return names;
    };
    ImageFileTypeParams p;
    for (const auto& [key, boxes] : image.boxes()) {
        p.box_layers[key] = ids_of(boxes->class_labels());
        p.box_class_maps[key] = names_of(boxes->class_labels());
        for (const Box2D& box : boxes->box_data())
            for (const auto& score : box.scores) p.box_score_keys.insert(score.first);
    }
    for (const auto& [key, mask] : image.masks()) {
        p.mask_layers[key] = ids_of(mask->class_labels());
        p.mask_class_maps[key] = names_of(mask->class_labels());
    }
    for (const ClassInfo& c : image.class_set()) p.class_map[std::to_string(c.id)] = c.name;
    return p;
}

/// `_ImageFileType.assign_type`: the union of two image types; `self` (the earlier rows) wins on
/// name collisions; id sets are rebuilt as `set(list(self_ids) + list(other_ids))`.
inline ImageFileTypeParams merge_image_params(const ImageFileTypeParams& self, const ImageFileTypeParams& other) {
    auto merge_layers = [](const std::map<std::string, PyIntSet>& a, const std::map<std::string, PyIntSet>& b) {
        std::map<std::string, PyIntSet> out;
        std::set<std::string> keys;
        for (const auto& e : a) keys.insert(e.first);
        for (const auto& e : b) keys.insert(e.first);
        for (const std::string& key : keys) {
            std::vector<std::int64_t> ids;
            if (auto it = a.find(key); it != a.end())
                for (auto id : it->second.items()) ids.push_back(id);
            if (auto it = b.find(key); it != b.end())
                for (auto id : it->second.items()) ids.push_back(id);
            out[key] = PyIntSet::copy_of(PyIntSet::from_sequence(ids));
        }
        return out;
    };
    auto merge_names = [](const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b) {
        std::map<std::string, std::string> out = b;
        for (const auto& [id, name] : a) out[id] = name;
        return out;
    };
    auto merge_maps = [&](const std::map<std::string, std::map<std::string, std::string>>& a,
                          const std::map<std::string, std::map<std::string, std::string>>& b) {
        std::map<std::string, std::map<std::string, std::string>> out;
        for (const auto& [key, names] : b) out[key] = names;
        for (const auto& [key, names] : a) {
            auto it = b.find(key);
            out[key] = it == b.end() ? names : merge_names(names, it->second);
        }
        return out;
    };
    ImageFileTypeParams p;
    p.box_layers = merge_layers(self.box_layers, other.box_layers);
    p.box_score_keys = self.box_score_keys;
    p.box_score_keys.insert(other.box_score_keys.begin(), other.box_score_keys.end());
    p.mask_layers = merge_layers(self.mask_layers, other.mask_layers);
    p.box_class_maps = merge_maps(self.box_class_maps, other.box_class_maps);
    p.mask_class_maps = merge_maps(self.mask_class_maps, other.mask_class_maps);
    p.class_map = merge_names(self.class_map, other.class_map);
    return p;
}

inline WbTypePtr make_image_type(ImageFileTypeParams params) {
    WbType t;
    t.kind = WbKind::image_file;
    t.image = std::make_shared<const ImageFileTypeParams>(std::move(params));
    return std::make_shared<const WbType>(std::move(t));
}

inline WbTypePtr type_of(const WbValue& value);
inline WbTypePtr assign(const WbTypePtr& type, const WbValue& value);

/// `ListType.from_obj` for a JSON array.
inline WbTypePtr list_type_of(const Json& array) {
    const bool has_null = std::any_of(array.begin(), array.end(), [](const Json& item) { return item.is_null(); });
    WbTypePtr element = has_null ? optional_unknown() : simple_type(WbKind::unknown);
    for (const Json& item : array) element = assign(element, WbValue(&item));
    return make_list(std::move(element), static_cast<std::int64_t>(array.size()));
}

/// `TypeRegistry.type_of(value)`.
inline WbTypePtr type_of(const WbValue& value) {
    if (const auto* image = std::get_if<const Image*>(&value)) return make_image_type(image_type_params(**image));
    if (std::holds_alternative<const Histogram*>(value)) {
        static const WbTypePtr histogram = [] {
            WbType t;
            t.kind = WbKind::python_object;
            t.class_name = "Histogram";  // PythonObjectType.from_obj: the value's class name
            return std::make_shared<const WbType>(std::move(t));
        }();
        return histogram;
    }
    const Json& j = *std::get<const Json*>(value);
    switch (kind_of(value)) {
        case WbKind::typed_dict: {
            WbType t;
            t.kind = WbKind::typed_dict;
            for (auto it = j.begin(); it != j.end(); ++it) t.type_map.emplace_back(it.key(), type_of(WbValue(&it.value())));
            return std::make_shared<const WbType>(std::move(t));
        }
        case WbKind::list: return list_type_of(j);
        case WbKind::invalid: return simple_type(WbKind::invalid);
        default: return simple_type(kind_of(value));
    }
}

/// The items Python gets by iterating a value (`list(value)`): an array's items, a string's
/// characters, an object's keys; nullopt when the value is not iterable.
inline std::optional<std::vector<Json>> python_iteration(const WbValue& value) {
    if (!std::holds_alternative<const Json*>(value)) return std::nullopt;
    const Json& j = *std::get<const Json*>(value);
    std::vector<Json> items;
    if (j.is_array()) {
        items.assign(j.begin(), j.end());
    } else if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        for (std::size_t i = 0; i < s.size();) {
            const std::size_t len = std::max<std::size_t>(1, utf8_sequence_length(s, i));
            items.emplace_back(s.substr(i, len));
            i += len;
        }
    } else if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) items.emplace_back(it.key());
    } else {
        return std::nullopt;
    }
    return items;
}

/// `_union_assigner` in value mode.
inline WbTypePtr union_assign(const std::vector<WbTypePtr>& allowed, const WbValue& value) {
    std::vector<WbTypePtr> resolved;
    bool valid = false;
    int unknown_count = 0;
    for (const WbTypePtr& t : allowed) {
        if (valid) {
            resolved.push_back(t);
        } else if (t->kind == WbKind::unknown) {
            ++unknown_count;
        } else {
            WbTypePtr assigned = assign(t, value);
            if (assigned->kind == WbKind::invalid) {
                resolved.push_back(t);
            } else {
                resolved.push_back(std::move(assigned));
                valid = true;
            }
        }
    }
    if (!valid) {
        if (unknown_count == 0) return simple_type(WbKind::invalid);
        WbTypePtr fresh = assign(simple_type(WbKind::unknown), value);
        if (fresh->kind == WbKind::invalid) return simple_type(WbKind::invalid);
        resolved.push_back(std::move(fresh));
        --unknown_count;
    }
    for (int i = 0; i < unknown_count; ++i) resolved.push_back(simple_type(WbKind::unknown));
    return make_union(resolved);
}

/// `type.assign(value)`: the type the column has after taking `value`, or `invalid`.
inline WbTypePtr assign(const WbTypePtr& type, const WbValue& value) {
    const WbTypePtr invalid = simple_type(WbKind::invalid);
    switch (type->kind) {
        case WbKind::invalid: return invalid;
        case WbKind::unknown: return kind_of(value) == WbKind::none ? invalid : type_of(value);
        case WbKind::none:
        case WbKind::string:
        case WbKind::number:
        case WbKind::boolean: return kind_of(value) == type->kind ? type : invalid;
        case WbKind::image_file: {
            const auto* image = std::get_if<const Image*>(&value);
            if (!image) return invalid;
            return make_image_type(merge_image_params(*type->image, image_type_params(**image)));
        }
        case WbKind::python_object: return kind_of(value) == WbKind::python_object ? type : invalid;  // same params
        case WbKind::union_type: return union_assign(type->allowed, value);
        case WbKind::list: {
            const auto items = python_iteration(value);
            if (!items) return invalid;
            WbTypePtr element = type->element;
            for (const Json& item : *items) {
                element = assign(element, WbValue(&item));
                if (element->kind == WbKind::invalid) return invalid;
            }
            return make_list(std::move(element), static_cast<std::int64_t>(items->size()));
        }
        case WbKind::typed_dict: {
            const auto* json = std::get_if<const Json*>(&value);
            if (!json || !(*json)->is_object()) return invalid;
            for (auto it = (*json)->begin(); it != (*json)->end(); ++it) {
                const bool known = std::any_of(type->type_map.begin(), type->type_map.end(),
                                               [&](const auto& e) { return e.first == it.key(); });
                if (!known) return invalid;
            }
            static const Json null_value;
            WbType t;
            t.kind = WbKind::typed_dict;
            for (const auto& [key, sub] : type->type_map) {
                auto found = (*json)->find(key);
                WbTypePtr next = assign(sub, WbValue(found == (*json)->end() ? &null_value : &*found));
                if (next->kind == WbKind::invalid) return invalid;
                t.type_map.emplace_back(key, std::move(next));
            }
            return std::make_shared<const WbType>(std::move(t));
        }
    }
    return invalid;
}

/// A ConstType's JSON: `{"wb_type": "const", "params": {"val": ..., "is_set": ...}}`.
inline Json const_json(Json val, bool is_set) {
    Json j = Json::object();
    j["wb_type"] = "const";
    j["params"] = Json::object();
    j["params"]["val"] = std::move(val);
    j["params"]["is_set"] = is_set;
    return j;
}

/// `Type.to_json()`: `{"wb_type": name}` plus `"params"` when the type has any.
inline Json wb_type_json(const WbType& t) {
    static const char* const names[] = {"invalid", "unknown", "none", "string", "number",
                                        "boolean", "list", "typedDict", "union", "image-file", "pythonObject"};
    Json j = Json::object();
    j["wb_type"] = names[static_cast<int>(t.kind)];
    switch (t.kind) {
        case WbKind::list:
            j["params"] = Json::object();
            j["params"]["element_type"] = wb_type_json(*t.element);
            j["params"]["length"] = t.length ? Json(*t.length) : Json(nullptr);
            break;
        case WbKind::typed_dict: {
            Json map = Json::object();
            for (const auto& [key, sub] : t.type_map) map[key] = wb_type_json(*sub);
            j["params"] = Json::object();
            j["params"]["type_map"] = std::move(map);
            break;
        }
        case WbKind::union_type: {
            Json allowed = Json::array();
            for (const WbTypePtr& member : t.allowed) allowed.push_back(wb_type_json(*member));
            j["params"] = Json::object();
            j["params"]["allowed_types"] = std::move(allowed);
            break;
        }
        case WbKind::image_file: {
            const ImageFileTypeParams& p = *t.image;
            auto layers = [](const std::map<std::string, PyIntSet>& m) {
                Json v = Json::object();
                for (const auto& [key, ids] : m) v[key] = ids.items();
                return v;
            };
            auto maps = [](const std::map<std::string, std::map<std::string, std::string>>& m) {
                Json v = Json::object();
                for (const auto& [key, labels] : m) v[key] = labels;
                return v;
            };
            Json score_keys = Json::array();
            for (const std::string& k : p.box_score_keys) score_keys.push_back(k);
            Json class_map = Json::object();
            for (const auto& [id, name] : p.class_map) class_map[id] = name;
            j["params"] = Json::object();
            j["params"]["box_layers"] = const_json(layers(p.box_layers), false);
            j["params"]["box_score_keys"] = const_json(std::move(score_keys), true);
            j["params"]["mask_layers"] = const_json(layers(p.mask_layers), false);
            j["params"]["box_class_maps"] = const_json(maps(p.box_class_maps), false);
            j["params"]["mask_class_maps"] = const_json(maps(p.mask_class_maps), false);
            j["params"]["class_map"] = const_json(std::move(class_map), false);
            break;
        }
        case WbKind::python_object:
            j["params"] = Json::object();
            j["params"]["class_name"] = t.class_name;
            break;
        default: break;
    }
    return j;
}

/// How a message names a value's kind: "a number", "a JSON object", "an image", ...
inline std::string kind_article(WbKind kind) {
    switch (kind) {
        case WbKind::none: return "null";
        case WbKind::string: return "a string";
        case WbKind::number: return "a number";
        case WbKind::boolean: return "a boolean";
        case WbKind::list: return "a JSON array";
        case WbKind::typed_dict: return "a JSON object";
        case WbKind::image_file: return "an image";
        case WbKind::python_object: return "a histogram";
        default: return "an unsupported value";
    }
}

/// How a message names the values a type holds: "number", "image-file", "JSON object", ...
inline std::string kind_plural(WbKind kind) {
    switch (kind) {
        case WbKind::none: return "null";
        case WbKind::string: return "string";
        case WbKind::number: return "number";
        case WbKind::boolean: return "boolean";
        case WbKind::list: return "JSON array";
        case WbKind::typed_dict: return "JSON object";
        case WbKind::image_file: return "image-file";
        case WbKind::python_object: return "Histogram";
        case WbKind::invalid: return "no valid";
        default: return "unknown";
    }
}

/// The concrete member of a column's union (its kind other than none/unknown), or the type itself.
inline WbTypePtr concrete_member(const WbTypePtr& type) {
    if (type->kind != WbKind::union_type) return type;
    for (const WbTypePtr& t : type->allowed)
        if (t->kind != WbKind::none && t->kind != WbKind::unknown) return t;
    return simple_type(WbKind::none);
}

/// Why `value` does not fit `type` at `path` (e.g. `["b"][2]`), or nullopt when it fits.
inline std::optional<std::string> explain_mismatch(const WbTypePtr& type, const WbValue& value, const std::string& path) {
    if (assign(type, value)->kind != WbKind::invalid) return std::nullopt;
    const WbTypePtr target = concrete_member(type);
    const WbKind kind = kind_of(value);
    const std::string where = path.empty() ? "it" : path;
    if (target->kind == WbKind::typed_dict && kind == WbKind::typed_dict) {
        const Json& j = *std::get<const Json*>(value);
        for (auto it = j.begin(); it != j.end(); ++it) {
            const bool known = std::any_of(target->type_map.begin(), target->type_map.end(),
                                           [&](const auto& e) { return e.first == it.key(); });
            if (!known) return where + " has key " + detail::quoted(it.key()) + ", which the column's JSON objects do not have";
        }
        static const Json null_value;
        for (const auto& [key, sub] : target->type_map) {
            auto found = j.find(key);
            const bool missing = found == j.end();
            if (auto why = explain_mismatch(sub, WbValue(missing ? &null_value : &*found), path + "[" + detail::quoted(key) + "]"))
                return missing ? path + "[" + detail::quoted(key) + "] is missing, but the column holds " +
                                     kind_plural(concrete_member(sub)->kind) + " values there"
                               : why;
        }
    } else if (target->kind == WbKind::list && kind == WbKind::list) {
        if (target->element->kind == WbKind::invalid)
            return where + " is a JSON array, but the column's arrays mixed element types in an earlier row";
        const Json& j = *std::get<const Json*>(value);
        WbTypePtr element = target->element;
        for (std::size_t i = 0; i < j.size(); ++i) {
            WbTypePtr next = assign(element, WbValue(&j[i]));
            if (next->kind == WbKind::invalid) {
                if (auto why = explain_mismatch(element, WbValue(&j[i]), path + "[" + std::to_string(i) + "]")) return why;
                break;
            }
            element = std::move(next);
        }
    }
    return where + " is " + kind_article(kind) + ", but the column holds " + kind_plural(target->kind) + " values" +
           (path.empty() ? "" : " there");
}

}  // namespace detail
WANDB_NAMESPACE_END
