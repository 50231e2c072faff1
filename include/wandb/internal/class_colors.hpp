// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Where a run keeps the colors its class labels carry (`wandb::ClassLabel`'s optional color),
/// for `wandb-imagemask view`. W&B's payloads have no place for them, so they go to a file beside
/// the log and outside `files/`, which `wandb sync` neither uploads nor reads:
/// `<run dir>/imagemask/class-colors.json`, written atomically whenever a logged row adds or
/// changes a color, in this form:
///
///     {"version": 1, "layers": [
///       {"key": ["seg"], "type": "mask", "layer": "ground_truth", "colors": {"0": "#ff0000"}},
///       {"key": ["examples"], "type": "boxes", "layer": "predictions", "colors": {"2": "#00ff00"}},
///       {"key": ["eval_table", "image"], "type": "mask", "layer": "pred", "colors": {...}}]}
///
/// `key` is the path of history keys to the image (nested rows give several), and for a table
/// the table's key then the column's name; `type` is "mask" or "boxes"; `colors` maps class ids
/// to "#rrggbb". A later color for the same layer and id replaces the earlier one; ids logged
/// without a color keep the color they had.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <unistd.h>

#include "../classes.hpp"
#include "../image.hpp"
#include "../json.hpp"
#include "../row.hpp"
#include "../table.hpp"
#include "../detail/atomic_file.hpp"
#include "../detail/text.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The colors file, relative to the run directory.
inline constexpr const char* class_colors_file = "imagemask/class-colors.json";

/// "#rrggbb", lower-case.
inline std::string rgb_hex(const Rgb& color) {
    char text[8];
    std::snprintf(text, sizeof text, "#%02x%02x%02x", unsigned{color.r}, unsigned{color.g}, unsigned{color.b});
    return text;
}

/// The class colors a run has logged so far, and the file that holds them. Not thread-safe: the
/// run calls it under its lock.
class ClassColorRecorder {
public:
    /// Merges the colors carried by every mask and box layer of `row` (nested rows, image lists
    /// and table cells included) and, if anything changed, rewrites the colors file below
    /// `run_dir`. A row without colors costs one walk over its keys and writes nothing.
    /// \throws wandb::IoError naming the file if it cannot be written (nothing changes then).
    void record(const std::filesystem::path& run_dir, const Row& row) {
        changed_ = false;
        Json layers = layers_;
        std::vector<std::string> path;
        walk(row, path, layers);
        if (layers == layers_) return;
        Json doc = Json::object();
        doc["version"] = 1;
        doc["layers"] = layers;
        const std::string text = doc.dump(2) + "\n";
        write_file_atomically(run_dir / class_colors_file, text.data(), text.size(), "wandb::OfflineRun::log");
        previous_ = std::move(layers_);
        layers_ = std::move(layers);
        changed_ = true;
    }

    /// Takes back the last `record` (when the rest of its log call failed): the file returns to
    /// what it held before, or is removed if that call created it. Best effort; never throws.
    void undo(const std::filesystem::path& run_dir) noexcept {
        if (!changed_) return;
        changed_ = false;
        try {
            layers_ = std::move(previous_);
            const std::filesystem::path file = run_dir / class_colors_file;
            if (layers_.empty()) {
                ::unlink(file.c_str());
                return;
            }
            Json doc = Json::object();
            doc["version"] = 1;
            doc["layers"] = layers_;
            const std::string text = doc.dump(2) + "\n";
            write_file_atomically(file, text.data(), text.size(), "wandb::OfflineRun::log");
        } catch (...) {
        }
    }

private:
    static void walk(const Row& row, std::vector<std::string>& path, Json& layers) {
        for (const auto& [key, value] : row) {
            path.push_back(key);
            std::visit(overloaded{[](const Json&) {}, [](const Histogram&) {},
                                  [&](const Image& image) { add_image(image, path, layers); },
                                  [&](const std::vector<Image>& images) {
                                      for (const Image& image : images) add_image(image, path, layers);
                                  },
                                  [&](const std::shared_ptr<const Table>& table) { add_table(*table, path, layers); },
                                  [&](const Row& nested) { walk(nested, path, layers); }},
                       value.get());
            path.pop_back();
        }
    }

    static void add_table(const Table& table, std::vector<std::string>& path, Json& layers) {
        for (const auto& cells : table.data())
            for (std::size_t c = 0; c < cells.size(); ++c)
                if (const Image* image = cells[c].image()) {
                    path.push_back(table.columns()[c]);
                    add_image(*image, path, layers);
                    path.pop_back();
                }
    }

    static void add_image(const Image& image, const std::vector<std::string>& path, Json& layers) {
        for (const auto& [name, mask] : image.masks()) add_labels(mask->class_labels(), path, "mask", name, layers);
        for (const auto& [name, boxes] : image.boxes()) add_labels(boxes->class_labels(), path, "boxes", name, layers);
    }

    static void add_labels(const ClassLabels& labels, const std::vector<std::string>& path, const char* type,
                           const std::string& layer, Json& layers) {
        Json* entry = nullptr;
        for (const auto& [id, label] : labels) {
            if (!label.color()) continue;
            if (!entry) entry = &find_or_add(layers, path, type, layer);
            (*entry)["colors"][std::to_string(id)] = rgb_hex(*label.color());
        }
    }

    static Json& find_or_add(Json& layers, const std::vector<std::string>& path, const char* type,
                             const std::string& layer) {
        const Json key(path);
        for (Json& e : layers)
            if (e["key"] == key && e["type"] == type && e["layer"] == layer) return e;
        Json e = Json::object();
        e["key"] = key;
        e["type"] = type;
        e["layer"] = layer;
        e["colors"] = Json::object();
        layers.push_back(std::move(e));
        return layers.back();
    }

    Json layers_ = Json::array();
    Json previous_ = Json::array();
    bool changed_ = false;
};

}  // namespace detail
WANDB_NAMESPACE_END
