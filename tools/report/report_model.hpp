// The data a report page shows, built from a run: one JSON document that the page's script
// (report.js) renders. Every file whose pixels the page reads (masks) is embedded as a data URI;
// images are referenced by a path relative to the report, or embedded on request.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <wandb/json.hpp>

#include "run_reader.hpp"

namespace wandb_tool {

/// How to build the report.
struct ReportOptions {
    std::filesystem::path output;  ///< where the report goes; image paths are relative to its directory
    std::size_t max_images = 32;   ///< images the page renders at once per panel (the rest on later pages)
    bool embed_images = false;     ///< embed images as data URIs too, so the file alone is the report
};

/// What building the report met: media it could not show, and counts for the summary line.
struct ReportStats {
    std::size_t image_keys = 0, images = 0, masks = 0, tables = 0, charts = 0;
    std::vector<std::string> warnings;  ///< e.g. "missing file files/media/images/x.png (key \"seg\", step 3)"
};

/// The page's data: run facts, config, summary, scalar series, media panels, tables and system
/// metrics (the format is described at the top of report.js).
/// \throws wandb::IoError if a media file exists but cannot be read; a missing file is a warning.
wandb::Json build_report_model(const RunData& run, const ReportOptions& options, ReportStats& stats);

}  // namespace wandb_tool
