// `wandb-imagemask view RUN_DIR [-o FILE] [--max-images N] [--embed-images]`: one self-contained
// HTML report of a run (run facts, config, summary, charts, images with their masks and boxes,
// tables), readable from file:// with no server and no network.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <wandb/detail/atomic_file.hpp>
#include <wandb/error.hpp>

#include "commands.hpp"
#include "report/report_html.hpp"
#include "report/report_model.hpp"
#include "report/run_reader.hpp"

namespace wandb_tool {
namespace {

const char* const view_usage =
    "usage: wandb-imagemask view RUN_DIR [-o FILE] [--max-images N] [--embed-images]\n\n"
    "Writes one self-contained HTML report of an offline run: its name, project, tags, notes,\n"
    "config, summary, exit state and runtime; a line chart per numeric history key; every image\n"
    "key with a step slider, its mask layers as colored overlays (a toggle per layer and per\n"
    "class, an opacity slider per layer, layers side by side on request) and its boxes with\n"
    "captions, scores and a score threshold; image lists as a grid; tables with every cell shown\n"
    "and numeric columns sortable. It opens from file:// in any browser, with no network access.\n\n"
    "  RUN_DIR          the run directory (holding run-<id>.wandb), or the .wandb file\n"
    "  -o FILE          where to write the report (default RUN_DIR/report.html)\n"
    "  --max-images N   images drawn at once per panel; more go to further pages (default 32)\n"
    "  --embed-images   embed the images too (by default the report loads them from the run's\n"
    "                   files/ by relative path; masks are always embedded), so the report\n"
    "                   file alone can be copied anywhere\n";

int usage_error(const std::string& message) {
    std::cerr << "wandb-imagemask view: " << message << "\n\n" << view_usage;
    return 2;
}

}  // namespace

int view_command(const Args& args) {
    if (wants_help(args)) {
        std::cout << view_usage;
        return 0;
    }
    std::string run_arg;
    std::filesystem::path output;
    ReportOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-o" || a == "--output") {
            if (i + 1 == args.size()) return usage_error(a + " needs a file name");
            output = args[++i];
        } else if (a == "--max-images") {
            if (i + 1 == args.size()) return usage_error("--max-images needs a number");
            const std::string& n = args[++i];
            char* end = nullptr;
            const unsigned long long value = std::strtoull(n.c_str(), &end, 10);
            if (n.empty() || *end != '\0' || n[0] == '-' || value == 0 || value > 100000)
                return usage_error("--max-images must be a number from 1 to 100000, got \"" + n + "\"");
            options.max_images = static_cast<std::size_t>(value);
        } else if (a == "--embed-images") {
            options.embed_images = true;
        } else if (!a.empty() && a[0] == '-') {
            return usage_error("unknown option \"" + a + "\"");
        } else if (run_arg.empty()) {
            run_arg = a;
        } else {
            return usage_error("one run at a time (got \"" + run_arg + "\" and \"" + a + "\")");
        }
    }
    if (run_arg.empty()) return usage_error("no run directory given");

    const RunData run = read_run(run_arg);
    options.output = std::filesystem::absolute(output.empty() ? run.dir / "report.html" : output);
    ReportStats stats;
    const std::string page = render_report_html(build_report_model(run, options, stats));
    try {
        wandb::detail::write_file_atomically(options.output, page.data(), page.size(), "wandb-imagemask view");
    } catch (const wandb::IoError& e) {  // "wandb-imagemask view: cannot create directory ...: reason"
        const std::string reason = std::string(e.what()).substr(std::string("wandb-imagemask view: ").size());
        std::cerr << "wandb-imagemask view: cannot write the report " << options.output.string() << ": " << reason << "\n";
        return 1;
    }

    for (const std::string& w : stats.warnings) std::cerr << "wandb-imagemask view: warning: " << w << "\n";
    if (run.problem) std::cerr << "wandb-imagemask view: warning: the log ends early: " << *run.problem << "\n";
    std::cout << "wrote " << options.output.string() << ": " << run.rows.size() << " rows, " << stats.charts
              << " charts, " << stats.image_keys << " image keys (" << stats.images << " images, " << stats.masks
              << " masks), " << stats.tables << " tables";
    if (!stats.warnings.empty()) std::cout << "; " << stats.warnings.size() << " warnings";
    std::cout << "\n";
    return 0;
}

}  // namespace wandb_tool
