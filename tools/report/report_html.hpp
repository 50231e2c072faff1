// The report page: the embedded template (report.html) with its style (report.css), script
// (report.js) and the run's data put in place.
#pragma once

#include <string>

#include <wandb/json.hpp>

namespace wandb_tool {

/// The complete HTML of a report whose data is `model` (report_model.hpp). The data goes into a
/// `<script type="application/json">` element with every `<` escaped, so no value can end it.
std::string render_report_html(const wandb::Json& model);

}  // namespace wandb_tool
