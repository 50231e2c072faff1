// `wandb-imagemask`: check, inspect, repair, sync and look at offline W&B runs written by this
// library (or by W&B's own SDK). `wandb-imagemask --help` lists the subcommands.
#include <exception>
#include <iostream>
#include <string>

#include <wandb/version.hpp>

#include "commands.hpp"

namespace wandb_tool {

const std::vector<Command>& commands() {
    static const std::vector<Command> all = {
        {"verify", "check a run's log and every file it names, before you copy it", verify_command},
        {"relocate", "rewrite the absolute paths in a run's log after the run directory moved", relocate_command},
        {"inspect", "print every record of a run's log as one JSON line", inspect_command},
        {"sync", "verify, relocate if needed, then upload with `wandb sync`", sync_command},
        {"view", "write a self-contained HTML report of a run (masks, boxes, charts, tables)", view_command},
    };
    return all;
}

bool wants_help(const Args& args) {
    for (const std::string& a : args) {
        if (a == "--") return false;
        if (a == "-h" || a == "--help") return true;
    }
    return false;
}

int usage_error(const char* command, const std::string& problem, const char* usage) {
    std::cerr << "wandb-imagemask " << command << ": " << problem << "\n" << usage
              << "`wandb-imagemask " << command << " --help` describes it.\n";
    return 2;
}

}  // namespace wandb_tool

namespace {

void print_usage(std::ostream& out) {
    out << "usage: wandb-imagemask <command> [arguments]\n\n"
           "Checks, inspects, repairs, syncs and shows offline W&B runs (wandb-imagemask "
        << wandb::version_string << ").\n\ncommands:\n";
    for (const auto& c : wandb_tool::commands()) out << "  " << c.name << std::string(10 - std::string(c.name).size(), ' ') << c.summary << "\n";
    out << "\n`wandb-imagemask <command> --help` describes a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(std::cerr);
        return 2;
    }
    const std::string name = argv[1];
    if (name == "-h" || name == "--help" || name == "help") {
        print_usage(std::cout);
        return 0;
    }
    if (name == "--version") {
        std::cout << "wandb-imagemask " << wandb::version_string << "\n";
        return 0;
    }
    for (const auto& c : wandb_tool::commands()) {
        if (name != c.name) continue;
        try {
            return c.run(wandb_tool::Args(argv + 2, argv + argc));
        } catch (const std::exception& e) {
            std::cerr << "wandb-imagemask " << name << ": " << e.what() << "\n";
            return 1;
        }
    }
    std::cerr << "wandb-imagemask: unknown command \"" << name << "\"\n\n";
    print_usage(std::cerr);
    return 2;
}
