// Building the report's data from a run: see report_model.hpp, and report.js for the format.
#include "report_model.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include <wandb/internal/class_colors.hpp>
#include <wandb/detail/hash.hpp>
#include <wandb/error.hpp>
#include <wandb/image_mask.hpp>
#include <wandb/png.hpp>

#include "run_items.hpp"

namespace wandb_tool {
namespace {

namespace fs = std::filesystem;
using wandb::Json;
using Path = std::vector<std::string>;

/// The bytes of a file, or nothing if it does not exist.
/// \throws wandb::IoError if it exists but cannot be read.
std::optional<std::vector<std::uint8_t>> read_bytes(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    std::vector<std::uint8_t> bytes;
    if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) throw wandb::IoError("cannot read " + file.string() + ": " + std::strerror(errno));
    return bytes;
}

std::string join(const Path& path, const char* separator) {
    std::string out;
    for (const std::string& label : path) out += (out.empty() ? "" : separator) + label;
    return out;
}

std::string text_of(const Json& object, const char* key) {
    return object.is_object() && object.contains(key) && object[key].is_string() ? object[key].get<std::string>()
                                                                                  : std::string();
}

/// A number of the report: finite JSON numbers, and the "NaN"/"Infinity"/"-Infinity" strings that
/// stand for W&B's non-finite tokens (run_items.hpp).
bool is_chartable(const Json& v) {
    if (v.is_number()) return true;
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    return s == "NaN" || s == "Infinity" || s == "-Infinity";
}

/// `*` and `?` globs, as define_metric matches metric names.
bool glob_match(const char* pattern, const char* text) {
    if (*pattern == '\0') return *text == '\0';
    if (*pattern == '*') return glob_match(pattern + 1, text) || (*text && glob_match(pattern, text + 1));
    return *text && (*pattern == '?' || *pattern == *text) && glob_match(pattern + 1, text + 1);
}

/// A path percent-encoded for a URL (everything but unreserved characters and '/').
std::string url_path(const std::string& path) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : path) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string mime_of(const fs::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".bmp") return "image/bmp";
    if (ext == ".gif") return "image/gif";
    return "image/png";
}

std::string data_uri(const std::string& mime, const std::vector<std::uint8_t>& bytes) {
    return "data:" + mime + ";base64," + wandb::detail::to_base64(bytes.data(), bytes.size());
}

/// True for a PNG of 8-bit gray pixels, not interlaced, with no chunk but IHDR, IDAT and IEND:
/// every browser decodes it to exactly its values (no gamma, color profile or transparency).
bool plain_gray_png(const std::vector<std::uint8_t>& b) {
    static const std::uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    if (b.size() < 8 || std::memcmp(b.data(), signature, 8) != 0) return false;
    std::size_t pos = 8;
    bool first = true;
    while (pos + 12 <= b.size()) {
        const std::size_t length = std::size_t{b[pos]} << 24 | std::size_t{b[pos + 1]} << 16 |
                                   std::size_t{b[pos + 2]} << 8 | b[pos + 3];
        const std::string type(reinterpret_cast<const char*>(b.data() + pos + 4), 4);
        if (length > b.size() - pos - 12) return false;
        if (first) {
            if (type != "IHDR" || length != 13) return false;
            const std::uint8_t* h = b.data() + pos + 8;
            if (h[8] != 8 || h[9] != 0 || h[12] != 0) return false;  // bit depth, color type, interlace
            first = false;
        } else if (type == "IEND") {
            return true;
        } else if (type != "IDAT") {
            return false;
        }
        pos += 12 + length;
    }
    return false;
}

/// The class-colors file of the run (wandb/internal/class_colors.hpp): (key path, type, layer) -> colors.
class ColorBook {
public:
    explicit ColorBook(const fs::path& run_dir) {
        const fs::path file = run_dir / wandb::detail::class_colors_file;
        const auto bytes = read_bytes(file);
        if (!bytes) return;
        try {
            const Json doc = Json::parse(bytes->begin(), bytes->end());
            if (doc.contains("layers") && doc["layers"].is_array()) layers_ = doc["layers"];
        } catch (const Json::exception& e) {
            problem_ = file.string() + " is not valid JSON (" + e.what() + "); class colors from the palette";
        }
    }
    /// `{"<id>": "#rrggbb"}` for a layer, or an empty object.
    Json colors(const Path& path, const char* type, const std::string& layer) const {
        const Json key(path);
        for (const Json& e : layers_)
            if (e.value("key", Json()) == key && text_of(e, "type") == type && text_of(e, "layer") == layer &&
                e.contains("colors") && e["colors"].is_object())
                return e["colors"];
        return Json::object();
    }
    const std::string& problem() const noexcept { return problem_; }

private:
    Json layers_ = Json::array();
    std::string problem_;
};

/// Builds the model; one instance per report.
class ModelBuilder {
public:
    ModelBuilder(const RunData& run, const ReportOptions& options, ReportStats& stats)
        : run_(run), options_(options), stats_(stats), colors_(run.dir),
          output_dir_(fs::absolute(options.output).parent_path()) {
        if (!colors_.problem().empty()) stats_.warnings.push_back(colors_.problem());
    }

    Json build() {
        Json model = Json::object();
        model["generator"] = "wandb-imagemask view";
        model["max_images"] = options_.max_images;
        model["run"] = run_facts();
        Json config = run_.config;
        if (config.is_object()) config.erase("_wandb");
        model["config"] = config;
        model["summary"] = shown_summary();
        model["charts"] = charts();
        for (const Json& row : run_.rows) walk_row(row, row, {});
        model["media"] = Json::array();
        for (auto& panel : panels_) model["media"].push_back(std::move(panel));
        model["tables"] = Json::array();
        for (auto& table : tables_) model["tables"].push_back(std::move(table));
        model["system"] = system_charts();
        model["blobs"] = std::move(blobs_);
        model["warnings"] = stats_.warnings;
        stats_.image_keys = model["media"].size();
        stats_.tables = model["tables"].size();
        stats_.charts = model["charts"].size();
        return model;
    }

private:
    // ---- run facts, summary, charts ----

    Json run_facts() const {
        const Json& r = run_.run;
        Json f = Json::object();
        f["id"] = text_of(r, "run_id");
        f["name"] = text_of(r, "display_name");
        f["project"] = text_of(r, "project");
        f["entity"] = text_of(r, "entity");
        f["group"] = text_of(r, "run_group");
        f["job_type"] = text_of(r, "job_type");
        f["notes"] = text_of(r, "notes");
        f["host"] = text_of(r, "host");
        f["tags"] = r.contains("tags") ? r["tags"] : Json::array();
        f["dir"] = run_.dir.string();
        f["log"] = run_.log.filename().string();
        if (r.contains("start_time"))
            f["start_time"] = r["start_time"].value("seconds", 0.0) + r["start_time"].value("nanos", 0.0) / 1e9;
        if (run_.exit_code) {
            f["state"] = *run_.exit_code == 0 ? "finished" : "failed";
            f["exit_code"] = *run_.exit_code;
        } else {
            f["state"] = "not finished";
        }
        // The runtime W&B shows is the summary's _wandb.runtime; else the larger of the Exit
        // record's (whole seconds) and the last row's _runtime.
        std::optional<double> runtime;
        if (run_.summary.contains("_wandb") && run_.summary["_wandb"].is_object() &&
            run_.summary["_wandb"].contains("runtime") && run_.summary["_wandb"]["runtime"].is_number())
            runtime = run_.summary["_wandb"]["runtime"].get<double>();
        if (!runtime && run_.exit_runtime) runtime = *run_.exit_runtime;
        if (!run_.rows.empty() && run_.rows.back().contains("_runtime") && run_.rows.back()["_runtime"].is_number() &&
            (!runtime || run_.rows.back()["_runtime"].get<double>() > *runtime))
            runtime = run_.rows.back()["_runtime"].get<double>();
        if (runtime) f["runtime"] = *runtime;
        f["rows"] = run_.rows.size();
        f["records"] = run_.records;
        if (run_.problem) f["log_problem"] = *run_.problem;
        return f;
    }

    /// The summary without `_wandb`, media values shown by their type.
    Json shown_summary() const {
        Json s = run_.summary;
        if (!s.is_object()) return Json::object();
        s.erase("_wandb");
        std::function<void(Json&)> shorten = [&](Json& v) {
            if (!v.is_object()) return;
            if (v.contains("_type") && v["_type"].is_string()) {
                v = "(" + v["_type"].get<std::string>() + ")";
                return;
            }
            for (auto it = v.begin(); it != v.end(); ++it) shorten(it.value());
        };
        shorten(s);
        return s;
    }

    /// The numeric leaves of a row by dotted key (media values and `_` keys left out).
    static void flatten(const Json& v, const std::string& prefix, std::vector<std::pair<std::string, const Json*>>& out) {
        if (v.is_object()) {
            if (v.contains("_type")) return;
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (prefix.empty() && !it.key().empty() && it.key()[0] == '_') continue;
                flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
            }
        } else if (is_chartable(v)) {
            out.emplace_back(prefix, &v);
        }
    }

    std::string step_metric_of(const std::string& key) const {
        for (const RunMetric& m : run_.metrics)
            if (!m.name.empty() && m.name == key) return m.step_metric;
        for (const RunMetric& m : run_.metrics)
            if (!m.glob.empty() && glob_match(m.glob.c_str(), key.c_str())) return m.step_metric;
        return "";
    }

    Json charts() const {
        std::vector<std::string> order;
        std::map<std::string, Json> points, metric_points;
        std::map<std::string, bool> finite;
        for (const Json& row : run_.rows) {
            std::vector<std::pair<std::string, const Json*>> leaves;
            flatten(row, "", leaves);
            std::map<std::string, const Json*> by_key(leaves.begin(), leaves.end());
            const Json step = row.contains("_step") ? row["_step"] : Json(nullptr);
            for (const auto& [key, value] : leaves) {
                if (!points.count(key)) {
                    order.push_back(key);
                    points[key] = Json::array();
                }
                points[key].push_back(Json::array({step, *value}));
                if (value->is_number()) finite[key] = true;
                const std::string metric = step_metric_of(key);
                if (!metric.empty() && metric != "_step" && metric != key) {
                    const auto x = by_key.find(metric);
                    if (x != by_key.end() && x->second->is_number()) {
                        if (!metric_points.count(key)) metric_points[key] = Json::array();
                        metric_points[key].push_back(Json::array({*x->second, *value}));
                    }
                }
            }
        }
        Json out = Json::array();
        for (const std::string& key : order) {
            if (!finite[key]) continue;
            Json c = Json::object();
            c["key"] = key;
            c["points"] = std::move(points[key]);
            if (metric_points.count(key)) {
                c["step_metric"] = step_metric_of(key);
                c["metric_points"] = std::move(metric_points[key]);
            }
            out.push_back(std::move(c));
        }
        return out;
    }

    Json system_charts() const {
        double t0 = 0;
        if (run_.run.contains("start_time")) t0 = run_.run["start_time"].value("seconds", 0.0);
        else if (!run_.stats.empty()) t0 = run_.stats.front().timestamp;
        std::vector<std::string> order;
        std::map<std::string, Json> points;
        for (const RunStats& s : run_.stats)
            for (const auto& [key, value] : s.values) {
                if (!is_chartable(value)) continue;
                if (!points.count(key)) {
                    order.push_back(key);
                    points[key] = Json::array();
                }
                points[key].push_back(Json::array({std::round((s.timestamp - t0) * 1000) / 1000, value}));
            }
        Json out = Json::array();
        for (const std::string& key : order) out.push_back({{"key", key}, {"points", std::move(points[key])}});
        return out;
    }

    // ---- media ----

    /// Index of a data URI in the model's blobs, each file embedded once.
    std::optional<std::size_t> blob(const fs::path& file, bool is_mask, const std::string& where) {
        const std::string id = (is_mask ? "m:" : "i:") + file.string();
        if (const auto it = blob_index_.find(id); it != blob_index_.end()) return it->second;
        const auto bytes = read_bytes(file);
        if (!bytes) {
            warn("missing file " + file.string() + " (" + where + ")");
            return std::nullopt;
        }
        std::string uri;
        if (!is_mask) {
            uri = data_uri(mime_of(file), *bytes);
        } else if (plain_gray_png(*bytes)) {
            uri = data_uri("image/png", *bytes);
        } else {
            try {  // re-encoded without ancillary chunks, so the page reads the class ids exactly
                const wandb::ImageMask<std::uint8_t> mask(file);
                const wandb::PixelView view{mask.mask_data().data(), mask.width(), mask.height(), 1, mask.width()};
                uri = data_uri("image/png", wandb::encode_png(view));
            } catch (const wandb::ValidationError& e) {
                warn(std::string("mask not shown: ") + e.what() + " (" + where + ")");
                return std::nullopt;
            }
        }
        blobs_.push_back(std::move(uri));
        blob_index_[id] = blobs_.size() - 1;
        return blobs_.size() - 1;
    }

    /// How the page loads an image: a path relative to the report, or an embedded blob.
    bool image_source(const fs::path& file, const std::string& where, Json& entry) {
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) {
            warn("missing file " + file.string() + " (" + where + ")");
            return false;
        }
        if (options_.embed_images) {
            const auto index = blob(file, false, where);
            if (!index) return false;
            entry["src_blob"] = *index;
        } else {
            const fs::path relative = fs::relative(fs::absolute(file), output_dir_, ec);
            entry["src"] = ec || relative.empty() ? "file://" + url_path(fs::absolute(file).generic_string())
                                                  : url_path(relative.generic_string());
        }
        return true;
    }

    /// A box's rectangle in image pixels, with its class, caption and scores.
    static std::optional<Json> box_json(const Json& box, double width, double height) {
        if (!box.is_object() || !box.contains("position") || !box["position"].is_object()) return std::nullopt;
        const Json& p = box["position"];
        double x0, x1, y0, y1;
        try {
            if (p.contains("minX")) {
                x0 = p["minX"].get<double>();
                x1 = p["maxX"].get<double>();
                y0 = p["minY"].get<double>();
                y1 = p["maxY"].get<double>();
            } else {
                const double mx = p["middle"][0].get<double>(), my = p["middle"][1].get<double>();
                const double w = p["width"].get<double>(), h = p["height"].get<double>();
                x0 = mx - w / 2;
                x1 = mx + w / 2;
                y0 = my - h / 2;
                y1 = my + h / 2;
            }
        } catch (const Json::exception&) {
            return std::nullopt;
        }
        if (text_of(box, "domain") != "pixel") {
            x0 *= width;
            x1 *= width;
            y0 *= height;
            y1 *= height;
        }
        Json b = Json::object();
        b["x0"] = x0;
        b["y0"] = y0;
        b["x1"] = x1;
        b["y1"] = y1;
        b["class_id"] = box.contains("class_id") && box["class_id"].is_number_integer() ? box["class_id"].get<long long>() : 0;
        if (box.contains("box_caption") && box["box_caption"].is_string()) b["caption"] = box["box_caption"];
        if (box.contains("scores") && box["scores"].is_object()) {
            Json scores = Json::object();
            for (auto it = box["scores"].begin(); it != box["scores"].end(); ++it)
                if (it.value().is_number()) scores[it.key()] = it.value();
            if (!scores.empty()) b["scores"] = std::move(scores);
        }
        return b;
    }

    /// `{"<id>": "name"}` a run's config records for a layer (`_wandb.mask/class_labels` etc.).
    Json config_labels(const char* type, const std::string& key, const std::string& layer) const {
        const Json& c = run_.config;
        const std::string singleton = key + "_wandb_delimeter_" + layer;
        if (c.contains("_wandb") && c["_wandb"].is_object() && c["_wandb"].contains(type) &&
            c["_wandb"][type].is_object() && c["_wandb"][type].contains(singleton)) {
            const Json& s = c["_wandb"][type][singleton];
            if (s.is_object() && s.contains("value") && s["value"].is_object()) return s["value"];
        }
        return Json::object();
    }

    /// Adds a layer's classes to a panel's layer list: names (later ones win) and user colors.
    static void merge_layer(Json& list, const std::string& name, const Json& names, const Json& colors,
                            const std::set<std::string>* score_keys = nullptr) {
        Json* layer = nullptr;
        for (Json& l : list)
            if (l["name"] == name) layer = &l;
        if (!layer) {
            list.push_back({{"name", name}, {"classes", Json::array()}});
            if (score_keys) list.back()["scores"] = Json::array();
            layer = &list.back();
        }
        auto put = [&](long long id, const std::string* class_name, const std::string* color) {
            Json* entry = nullptr;
            for (Json& c : (*layer)["classes"])
                if (c["id"] == id) entry = &c;
            if (!entry) {
                (*layer)["classes"].push_back({{"id", id}, {"name", "class_" + std::to_string(id)}});
                entry = &(*layer)["classes"].back();
            }
            if (class_name) (*entry)["name"] = *class_name;
            if (color) (*entry)["color"] = *color;
        };
        auto id_of = [](const std::string& text) -> std::optional<long long> {
            try {
                std::size_t used = 0;
                const long long id = std::stoll(text, &used);
                if (used == text.size()) return id;
            } catch (const std::exception&) {
            }
            return std::nullopt;
        };
        for (auto it = names.begin(); it != names.end(); ++it)
            if (const auto id = id_of(it.key()); id && it.value().is_string()) put(*id, &it.value().get_ref<const std::string&>(), nullptr);
        for (auto it = colors.begin(); it != colors.end(); ++it)
            if (const auto id = id_of(it.key()); id && it.value().is_string()) put(*id, nullptr, &it.value().get_ref<const std::string&>());
        std::sort((*layer)["classes"].begin(), (*layer)["classes"].end(),
                  [](const Json& a, const Json& b) { return a["id"].get<long long>() < b["id"].get<long long>(); });
        if (score_keys)
            for (const std::string& k : *score_keys)
                if (std::find((*layer)["scores"].begin(), (*layer)["scores"].end(), k) == (*layer)["scores"].end())
                    (*layer)["scores"].push_back(k);
    }

    /// An image of the history (`image-file` payload, or one image of a list) as the page draws it.
    std::optional<Json> history_image(const std::string& file, const Json& masks, const Json& boxes, const Json& caption,
                                      double width, double height, const Path& path, Json& layers,
                                      const std::string& where) {
        Json entry = Json::object();
        if (!image_source(run_.dir / "files" / file, where, entry)) return std::nullopt;
        entry["w"] = width;
        entry["h"] = height;
        if (caption.is_string()) entry["caption"] = caption;
        const std::string inner = path.back();  // the SDK names singletons by the innermost key
        if (masks.is_object()) {
            entry["masks"] = Json::object();
            for (auto it = masks.begin(); it != masks.end(); ++it) {
                const std::string mask_file = text_of(it.value(), "path");
                merge_layer(layers["masks"], it.key(), config_labels("mask/class_labels", inner, it.key()),
                            colors_.colors(path, "mask", it.key()));
                if (mask_file.empty()) continue;
                if (const auto index = blob(run_.dir / "files" / mask_file, true, where)) {
                    entry["masks"][it.key()] = *index;
                    ++stats_.masks;
                }
            }
        }
        if (boxes.is_object()) {
            entry["boxes"] = Json::object();
            for (auto it = boxes.begin(); it != boxes.end(); ++it) {
                const std::string boxes_file = text_of(it.value(), "path");
                Json names = config_labels("bounding_box/class_labels", inner, it.key());
                Json list = Json::array();
                std::set<std::string> score_keys;
                if (const auto bytes = boxes_file.empty() ? std::nullopt : read_bytes(run_.dir / "files" / boxes_file)) {
                    try {
                        const Json doc = parse_value_json(std::string(bytes->begin(), bytes->end()));
                        if (doc.contains("class_labels") && doc["class_labels"].is_object()) names = doc["class_labels"];
                        if (doc.contains("box_data") && doc["box_data"].is_array())
                            for (const Json& b : doc["box_data"])
                                if (auto box = box_json(b, width, height)) {
                                    if (box->contains("scores"))
                                        for (auto s = (*box)["scores"].begin(); s != (*box)["scores"].end(); ++s) score_keys.insert(s.key());
                                    list.push_back(std::move(*box));
                                }
                    } catch (const Json::exception& e) {
                        warn("boxes file " + boxes_file + " is not valid JSON: " + e.what() + " (" + where + ")");
                    }
                } else if (!boxes_file.empty()) {
                    warn("missing file " + (run_.dir / "files" / boxes_file).string() + " (" + where + ")");
                }
                merge_layer(layers["boxes"], it.key(), names, colors_.colors(path, "boxes", it.key()), &score_keys);
                entry["boxes"][it.key()] = std::move(list);
            }
        }
        ++stats_.images;
        return entry;
    }

    Json& panel_for(const Path& path, const char* kind) {
        const std::string id = Json(path).dump();
        auto it = panel_index_.find(id);
        if (it == panel_index_.end()) {
            Json p = Json::object();
            p["key"] = join(path, ".");
            p["path"] = path;
            p["kind"] = kind;
            p["layers"] = {{"masks", Json::array()}, {"boxes", Json::array()}};
            p["steps"] = Json::array();
            panels_.push_back(std::move(p));
            it = panel_index_.emplace(id, panels_.size() - 1).first;
        }
        return panels_[it->second];
    }

    void add_image_file(const Json& v, const Path& path, const Json& step) {
        Json& panel = panel_for(path, "image");
        const std::string where = "key \"" + join(path, ".") + "\", step " + step.dump();
        auto image = history_image(text_of(v, "path"), v.value("masks", Json()), v.value("boxes", Json()),
                                   v.value("caption", Json()), v.value("width", 0.0), v.value("height", 0.0), path,
                                   panel["layers"], where);
        Json images = Json::array();
        if (image) images.push_back(std::move(*image));
        panel["steps"].push_back({{"step", step}, {"images", std::move(images)}});
    }

    void add_image_list(const Json& v, const Path& path, const Json& step) {
        Json& panel = panel_for(path, "images");
        const std::string where = "key \"" + join(path, ".") + "\", step " + step.dump();
        const Json files = v.value("filenames", Json::array());
        Json images = Json::array();
        for (std::size_t i = 0; i < files.size(); ++i) {
            auto at = [&](const char* list) {
                return v.contains(list) && v[list].is_array() && i < v[list].size() ? v[list][i] : Json();
            };
            if (!files[i].is_string()) continue;
            if (auto image = history_image(files[i].get<std::string>(), at("all_masks"), at("all_boxes"), at("captions"),
                                           v.value("width", 0.0), v.value("height", 0.0), path, panel["layers"],
                                           where + ", image " + std::to_string(i)))
                images.push_back(std::move(*image));
        }
        panel["steps"].push_back({{"step", step}, {"images", std::move(images)}});
    }

    // ---- tables ----

    /// The local copy of an artifact member: the manifest's local_path as written, else the staged
    /// copy of the same name below this run's artifacts/staging (a run directory that was moved).
    std::optional<fs::path> member_file(const RunArtifact& artifact, const std::string& member) const {
        const auto it = artifact.local_paths.find(member);
        if (it == artifact.local_paths.end()) return std::nullopt;
        std::error_code ec;
        const fs::path written(it->second);
        if (fs::is_regular_file(written, ec)) return written;
        const fs::path moved = run_.dir / "artifacts" / "staging" / written.filename();
        if (fs::is_regular_file(moved, ec)) return moved;
        return std::nullopt;
    }

    /// `{"<id>": "name"}` of a table image's classes file.
    Json table_classes(const RunArtifact& artifact, const Json& image) {
        Json names = Json::object();
        if (!image.contains("classes")) return names;
        const std::string member = text_of(image["classes"], "path");
        if (const auto cached = classes_cache_.find(artifact.client_id + "/" + member); cached != classes_cache_.end())
            return cached->second;
        if (const auto file = member_file(artifact, member))
            if (const auto bytes = read_bytes(*file)) {
                try {
                    const Json doc = parse_value_json(std::string(bytes->begin(), bytes->end()));
                    for (const Json& c : doc.value("class_set", Json::array()))
                        if (c.contains("id") && c["id"].is_number_integer() && c.contains("name") && c["name"].is_string())
                            names[std::to_string(c["id"].get<long long>())] = c["name"];
                } catch (const Json::exception&) {
                }
            }
        classes_cache_[artifact.client_id + "/" + member] = names;
        return names;
    }

    std::optional<Json> table_image(const RunArtifact& artifact, const Json& cell, const Path& column_path,
                                    Json& layers, const std::string& where) {
        const auto file = member_file(artifact, text_of(cell, "path"));
        if (!file) {
            warn("missing staged image " + text_of(cell, "path") + " (" + where + ")");
            return std::nullopt;
        }
        Json entry = Json::object();
        if (!image_source(*file, where, entry)) return std::nullopt;
        const double width = cell.value("width", 0.0), height = cell.value("height", 0.0);
        entry["w"] = width;
        entry["h"] = height;
        if (cell.contains("caption") && cell["caption"].is_string()) entry["caption"] = cell["caption"];
        const Json names = table_classes(artifact, cell);
        if (cell.contains("masks") && cell["masks"].is_object()) {
            entry["masks"] = Json::object();
            for (auto it = cell["masks"].begin(); it != cell["masks"].end(); ++it) {
                merge_layer(layers["masks"], it.key(), names, colors_.colors(column_path, "mask", it.key()));
                const auto mask = member_file(artifact, text_of(it.value(), "path"));
                if (!mask) {
                    warn("missing staged mask " + text_of(it.value(), "path") + " (" + where + ")");
                    continue;
                }
                if (const auto index = blob(*mask, true, where)) {
                    entry["masks"][it.key()] = *index;
                    ++stats_.masks;
                }
            }
        }
        if (cell.contains("boxes") && cell["boxes"].is_object()) {
            entry["boxes"] = Json::object();
            for (auto it = cell["boxes"].begin(); it != cell["boxes"].end(); ++it) {
                Json list = Json::array();
                std::set<std::string> score_keys;
                if (it.value().is_array())
                    for (const Json& b : it.value())
                        if (auto box = box_json(b, width, height)) {
                            if (box->contains("scores"))
                                for (auto s = (*box)["scores"].begin(); s != (*box)["scores"].end(); ++s) score_keys.insert(s.key());
                            list.push_back(std::move(*box));
                        }
                merge_layer(layers["boxes"], it.key(), names, colors_.colors(column_path, "boxes", it.key()), &score_keys);
                entry["boxes"][it.key()] = std::move(list);
            }
        }
        ++stats_.images;
        return entry;
    }

    void add_table(const Json& v, const Path& path, const Json& step) {
        const std::string id = Json(path).dump();
        auto it = table_index_.find(id);
        if (it == table_index_.end()) {
            tables_.push_back({{"key", join(path, ".")}, {"path", path}, {"layers", Json::object()}, {"steps", Json::array()}});
            it = table_index_.emplace(id, tables_.size() - 1).first;
        }
        Json& table = tables_[it->second];
        const std::string where = "table \"" + join(path, ".") + "\", step " + step.dump();
        Json t = {{"step", step}};

        // The artifact's <key>.table.json has the images; the run-side file only their type names.
        const std::string artifact_path = text_of(v, "artifact_path");
        const std::string scheme = "wandb-client-artifact://";
        const RunArtifact* artifact = nullptr;
        std::string member;
        if (artifact_path.compare(0, scheme.size(), scheme) == 0) {
            const std::string rest = artifact_path.substr(scheme.size());
            const std::size_t slash = rest.find('/');
            if (slash != std::string::npos) {
                member = rest.substr(slash + 1);
                for (const RunArtifact& a : run_.artifacts)
                    if (a.client_id == rest.substr(0, slash)) artifact = &a;
            }
        }
        Json doc;
        std::optional<fs::path> file = artifact ? member_file(*artifact, member) : std::nullopt;
        if (!file) {
            artifact = nullptr;
            const fs::path run_side = run_.dir / "files" / text_of(v, "path");
            if (std::error_code ec; fs::is_regular_file(run_side, ec)) file = run_side;
            t["note"] = "The table's staged artifact files are gone (wandb sync removes them after uploading), so "
                        "its media cells cannot be shown.";
            if (!file) {
                warn("missing table file " + run_side.string() + " (" + where + ")");
                t["columns"] = Json::array();
                t["rows"] = Json::array();
                t["kinds"] = Json::array();
                table["steps"].push_back(std::move(t));
                return;
            }
        }
        try {
            const auto bytes = read_bytes(*file);
            doc = parse_value_json(std::string(bytes->begin(), bytes->end()));
        } catch (const Json::exception& e) {
            warn("table file " + file->string() + " is not valid JSON: " + e.what() + " (" + where + ")");
            return;
        }
        const Json columns = doc.value("columns", Json::array());
        std::vector<std::string> kinds(columns.size(), "");
        Json rows = Json::array();
        Json& layers = table["layers"];
        for (const Json& data_row : doc.value("data", Json::array())) {
            Json row = Json::array();
            for (std::size_t c = 0; c < columns.size(); ++c) {
                const Json cell = data_row.is_array() && c < data_row.size() ? data_row[c] : Json();
                const std::string column = columns[c].is_string() ? columns[c].get<std::string>() : std::to_string(c);
                std::string kind;
                if (cell.is_object() && text_of(cell, "_type") == "image-file" && artifact) {
                    if (!layers.contains(column)) layers[column] = {{"masks", Json::array()}, {"boxes", Json::array()}};
                    Path column_path = path;
                    column_path.push_back(column);
                    auto image = table_image(*artifact, cell, column_path, layers[column],
                                             where + ", row " + std::to_string(rows.size()) + ", column \"" + column + "\"");
                    row.push_back(image ? Json{{"image", std::move(*image)}} : Json{{"missing", "image"}});
                    kind = "image";
                } else if (cell.is_object() || cell.is_array()) {
                    row.push_back({{"json", cell.dump()}});
                    kind = "text";
                } else {
                    row.push_back(cell);
                    kind = cell.is_null() ? "" : is_chartable(cell) ? "number" : "text";
                }
                std::string& k = kinds[c];
                if (k.empty()) k = kind;
                else if (!kind.empty() && k != kind) k = k == "image" || kind == "image" ? "image" : "text";
            }
            rows.push_back(std::move(row));
        }
        t["columns"] = columns;
        t["kinds"] = Json::array();
        for (std::string& k : kinds) t["kinds"].push_back(k.empty() ? "text" : k);
        t["rows"] = std::move(rows);
        table["steps"].push_back(std::move(t));
    }

    // ---- rows ----

    void walk_row(const Json& row, const Json& v, const Path& path) {
        if (!v.is_object()) return;
        if (!path.empty() && v.contains("_type") && v["_type"].is_string()) {
            const std::string type = v["_type"].get<std::string>();
            const Json step = row.contains("_step") ? row["_step"] : Json(nullptr);
            if (type == "image-file") add_image_file(v, path, step);
            else if (type == "images/separated") add_image_list(v, path, step);
            else if (type == "table-file") add_table(v, path, step);
            return;  // histograms, audio, ...: not shown
        }
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (path.empty() && !it.key().empty() && it.key()[0] == '_') continue;
            Path next = path;
            next.push_back(it.key());
            walk_row(row, it.value(), next);
        }
    }

    void warn(std::string message) {
        if (stats_.warnings.size() < 200) stats_.warnings.push_back(std::move(message));
        else if (stats_.warnings.size() == 200) stats_.warnings.push_back("(more problems not listed)");
    }

    const RunData& run_;
    const ReportOptions& options_;
    ReportStats& stats_;
    ColorBook colors_;
    fs::path output_dir_;
    std::vector<Json> panels_, tables_;
    std::map<std::string, std::size_t> panel_index_, table_index_;
    Json blobs_ = Json::array();
    std::map<std::string, std::size_t> blob_index_;
    std::map<std::string, Json> classes_cache_;
};

}  // namespace

Json build_report_model(const RunData& run, const ReportOptions& options, ReportStats& stats) {
    return ModelBuilder(run, options, stats).build();
}

}  // namespace wandb_tool
