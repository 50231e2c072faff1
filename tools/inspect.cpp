// `wandb-imagemask inspect [--rows] RUN_DIR`: every record of a run's log as one JSON line.
#include <exception>
#include <iostream>
#include <string>

#include <wandb/detail/json_text.hpp>
#include <wandb/record_items.hpp>
#include <wandb/record_json.hpp>
#include <wandb/run_dir.hpp>
#include <wandb/run_log.hpp>

#include "commands.hpp"

namespace wandb_tool {

namespace {

constexpr const char* usage = "usage: wandb-imagemask inspect [--rows] [--follow] RUN_DIR\n";
constexpr const char* help =
    "\n"
    "Prints every record of the run's .wandb log on stdout, one JSON object per line, with the\n"
    "field names of W&B's wandb_internal.proto (what `wandb sync --view --verbose` used to show):\n"
    "  {\"offset\":7,\"record\":{\"num\":1,\"header\":{\"version_info\":{...}}}}\n"
    "`offset` is the record's byte offset in the log; fields the schema does not know are kept\n"
    "under their field number. RUN_DIR is a run directory or its .wandb log.\n"
    "\n"
    "  --rows   print instead each History record's row, reassembled from its items\n"
    "           ({\"loss\":0.5,\"val\":{\"iou\":0.7},\"_step\":3,...}; NaN and Infinity as W&B writes them)\n"
    "  --follow print records as the run's writer appends them, until its Exit record (a run\n"
    "           still being trained is watched live; Ctrl-C ends it). The end of the file and a\n"
    "           record not yet whole mean \"not written yet\" then, never corruption\n"
    "\n"
    "A problem in the log (corrupt or truncated) ends the output, named on stderr with its offset.\n"
    "Exit status: 0 if the whole log was read (a run still being written may end inside a record),\n"
    "1 on a problem, 2 on a usage error.\n";

}  // namespace

int inspect_command(const Args& args) {
    if (wants_help(args)) {
        std::cout << usage << help;
        return 0;
    }
    bool rows = false, follow = false;
    Args runs;
    for (const std::string& a : args) {
        if (a == "--rows")
            rows = true;
        else if (a == "--follow")
            follow = true;
        else if (!a.empty() && a[0] == '-')
            return usage_error("inspect", "unknown option " + a, usage);
        else
            runs.push_back(a);
    }
    if (runs.size() != 1) return usage_error("inspect", runs.empty() ? "no RUN_DIR given" : "give one RUN_DIR", usage);
    const std::string& run = runs.front();
    try {
        const auto log = wandb::find_run_log(run);
        wandb::RunLogReader reader(log.string());
        const auto print = [rows](const wandb::LogRecord& record) {
            const wandb::Json decoded = wandb::decode_record(record.data);
            if (!rows) {
                wandb::Json line = wandb::Json::object();
                line["offset"] = record.offset;
                line["record"] = decoded;
                std::cout << line.dump() << "\n";
            } else if (decoded.contains("history")) {
                std::cout << wandb::detail::json_text(
                                 wandb::items_to_object(decoded["history"].value("item", wandb::Json::array())))
                          << "\n";
            }
        };
        if (follow) {
            while (const auto record = reader.follow()) {
                print(*record);
                std::cout.flush();  // a person or a pipe watches it as it comes
            }
            return 0;
        }
        const wandb::LogReadResult all = reader.read_all();
        for (const wandb::LogRecord& record : all.records) print(record);
        std::cout.flush();
        if (all.problem) {
            if (all.problem->kind == wandb::LogProblem::Kind::truncated_tail && wandb::log_is_being_written(log)) {
                std::cerr << run << ": the log ends inside a record its writer is still writing\n";
                return 0;
            }
            std::cerr << run << ": log: " << all.problem->message << "\n";
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::cout.flush();
        std::cerr << "wandb-imagemask inspect: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace wandb_tool
