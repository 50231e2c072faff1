// History, summary and config items of a `.wandb` log turned back into JSON values. W&B writes an
// item in one of two forms, and a log may hold both:
//   - `key` plus the whole JSON value: {"key": "img", "value_json": "{\"_type\": \"image-file\", ...}"}
//     (the pure-Python SDK, and this library before it wrote leaves);
//   - `nested_key` plus one leaf's JSON, one item per leaf: {"nested_key": ["img", "path"],
//     "value_json": "\"media/images/...\""} (wandb-core; arrays are leaves, empty objects vanish).
// wandb-core reads both (core/internal/runhistory/runhistory.go SetFromRecord,
// core/internal/runsummary/updates.go keyPath): the nested key wins when present, and an object
// value is set leaf by leaf, merging into what the path already holds.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <wandb/json.hpp>

namespace wandb_tool {

/// The JSON text of an item's value, with the bare NaN, Infinity and -Infinity tokens that W&B
/// writes (and JSON parsers refuse) read as the strings "NaN", "Infinity" and "-Infinity".
/// \throws nlohmann::json::parse_error if the text is not JSON otherwise.
inline wandb::Json parse_value_json(const std::string& text) {
    std::string json;
    json.reserve(text.size());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            json += c;
            if (c == '\\' && i + 1 < text.size()) json += text[++i];
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            json += c;
            continue;
        }
        bool replaced = false;
        for (const char* token : {"-Infinity", "Infinity", "NaN"}) {
            const std::string t = token;
            if (text.compare(i, t.size(), t) == 0) {
                json += "\"" + t + "\"";
                i += t.size() - 1;
                replaced = true;
                break;
            }
        }
        if (!replaced) json += c;
    }
    return wandb::Json::parse(json);
}

/// Sets `value` at `path` in `target` as wandb-core does: an object value merges leaf by leaf
/// into the object already there; any other value (arrays included) replaces what was there.
/// Intermediate labels that hold a non-object become objects.
inline void set_at_path(wandb::Json& target, const std::vector<std::string>& path, wandb::Json value) {
    wandb::Json* node = &target;
    for (const std::string& label : path) {
        if (!node->is_object()) *node = wandb::Json::object();
        node = &(*node)[label];
    }
    if (value.is_object()) {
        if (!node->is_object()) *node = wandb::Json::object();
        for (auto it = value.begin(); it != value.end(); ++it) set_at_path(*node, {it.key()}, std::move(it.value()));
    } else {
        *node = std::move(value);
    }
}

/// The path an item names: its `nested_key` when that is not empty, else `[key]`.
/// \throws std::runtime_error for an item with neither.
inline std::vector<std::string> item_path(const wandb::Json& item) {
    std::vector<std::string> path;
    if (item.contains("nested_key"))
        for (const auto& label : item["nested_key"]) path.push_back(label.get<std::string>());
    if (path.empty() && item.contains("key") && !item["key"].get_ref<const std::string&>().empty())
        path.push_back(item["key"].get<std::string>());
    if (path.empty()) throw std::runtime_error("an item has neither key nor nested_key");
    return path;
}

/// Applies a list of decoded items (`HistoryRecord.item`, `SummaryRecord.update`,
/// `ConfigRecord.update`, as decode_record gives them) to `target`, in order, either form.
/// \throws std::runtime_error or nlohmann::json::parse_error for an item without a key or with bad JSON.
inline void apply_items(wandb::Json& target, const wandb::Json& items) {
    if (!target.is_object()) target = wandb::Json::object();
    for (const auto& item : items) {
        const std::string text = item.contains("value_json") ? item["value_json"].get<std::string>() : "null";
        set_at_path(target, item_path(item), parse_value_json(text));
    }
}

/// Removes what a list of items names (`SummaryRecord.remove`, `ConfigRecord.remove`).
inline void remove_items(wandb::Json& target, const wandb::Json& items) {
    for (const auto& item : items) {
        const std::vector<std::string> path = item_path(item);
        wandb::Json* node = &target;
        for (std::size_t i = 0; i + 1 < path.size() && node; ++i)
            node = node->is_object() && node->contains(path[i]) ? &(*node)[path[i]] : nullptr;
        if (node && node->is_object()) node->erase(path.back());
    }
}

/// One history row from its items: `{"loss": 0.5, "img": {...}, "_step": 3, ...}`.
/// \throws as apply_items.
inline wandb::Json assemble_row(const wandb::Json& items) {
    wandb::Json row = wandb::Json::object();
    apply_items(row, items);
    return row;
}

}  // namespace wandb_tool
