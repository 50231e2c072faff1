// The report page: see report_html.hpp.
#include "report_html.hpp"

#include <cstddef>
#include <stdexcept>
#include <string_view>

namespace wandb_tool {
namespace assets {
extern const unsigned char report_html[], report_css[], report_js[];
extern const std::size_t report_html_size, report_css_size, report_js_size;
}  // namespace assets

namespace {

std::string_view asset(const unsigned char* data, std::size_t size) {
    return std::string_view(reinterpret_cast<const char*>(data), size);
}

/// Replaces the one occurrence of `marker` in `page` by `text`.
void put(std::string& page, std::string_view marker, std::string_view text) {
    const std::size_t at = page.find(marker);
    if (at == std::string::npos || page.find(marker, at + 1) != std::string::npos)
        throw std::logic_error("report.html must hold " + std::string(marker) + " exactly once");
    page.replace(at, marker.size(), text);
}

}  // namespace

std::string render_report_html(const wandb::Json& model) {
    // JSON text may hold "<" only inside strings, where \u003c means the same character.
    const std::string json = model.dump(-1, ' ', false, wandb::Json::error_handler_t::replace);
    std::string data;
    data.reserve(json.size() + json.size() / 64);
    for (const char c : json) {
        if (c == '<') data += "\\u003c";
        else data += c;
    }
    std::string page(asset(assets::report_html, assets::report_html_size));
    // The style and script first: the data, inserted last, may contain the markers' text.
    put(page, "/*@REPORT_CSS@*/", asset(assets::report_css, assets::report_css_size));
    put(page, "/*@REPORT_JS@*/", asset(assets::report_js, assets::report_js_size));
    put(page, "@REPORT_DATA@", data);
    return page;
}

}  // namespace wandb_tool
