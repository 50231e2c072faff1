// Tests for detail/class_colors.hpp: the colors class labels carry are recorded beside the run,
// outside files/, for `wandb-imagemask view`, and change nothing W&B receives.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <csignal>
#include <string>

#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/seed_fixtures.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_class_colors {

using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

const wandb::ClassLabels colored = {{0, {"person", wandb::Rgb{200, 30, 30}}}, {1, "tree"}, {3, {"road", wandb::Rgb{1, 2, 255}}}};

wandb::Image small_image(const wandb::ClassLabels& labels) {
    return wandb::Image(wandb_test::gradient(4, 4)).with_mask("gt", wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(xt::zeros<std::uint8_t>({4, 4})), labels));
}

wandb::Json colors_file(const wandb::OfflineRun& run) {
    return wandb::Json::parse(wandb_test::read_bytes(run.dir() / "imagemask" / "class-colors.json"));
}

}  // namespace

TEST_CASE("Class colors go to imagemask/class-colors.json beside the run, in the documented form", "[class_colors]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    wandb::Table table({"id", "picture"});
    table.add_data({1, small_image(colored)});
    const wandb::BoundingBoxes2D boxes({{wandb::BoxCorners{0, 1, 0, 1}, 7}}, wandb::ClassLabels{{7, {"sign", wandb::Rgb{9, 8, 7}}}});
    run.log({{"seg", small_image(colored).with_boxes("det", boxes)},
             {"val", wandb::Row{{"examples", std::vector<wandb::Image>{small_image(colored), small_image(colored)}}}},
             {"eval", table},
             {"plain", small_image(wandb_test::seed_labels)}});
    // Written from the format in class_colors.hpp: key paths, type, layer, id -> #rrggbb.
    const wandb::Json expected = wandb::Json::parse(R"({"version": 1, "layers": [
        {"key": ["seg"], "type": "mask", "layer": "gt", "colors": {"0": "#c81e1e", "3": "#0102ff"}},
        {"key": ["seg"], "type": "boxes", "layer": "det", "colors": {"7": "#090807"}},
        {"key": ["val", "examples"], "type": "mask", "layer": "gt", "colors": {"0": "#c81e1e", "3": "#0102ff"}},
        {"key": ["eval", "picture"], "type": "mask", "layer": "gt", "colors": {"0": "#c81e1e", "3": "#0102ff"}}]})");
    CHECK(colors_file(run).dump() == expected.dump());
    run.finish();
    // Not part of what wandb sync uploads: outside files/, named by no Files record.
    for (const std::string& name : wandb_test::list_files(run.files_dir())) CHECK(name.find("color") == std::string::npos);
    for (const auto& files : wandb_test::read_back(run.log_path()).of_kind("files"))
        for (const auto& f : files["files"]) CHECK(f["path"].get<std::string>().find("imagemask") == std::string::npos);
}

TEST_CASE("A run whose labels carry no color writes no colors file", "[class_colors]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"seg", small_image(wandb_test::seed_labels)}, {"loss", 0.5}});
    run.finish();
    CHECK_FALSE(fs::exists(run.dir() / "imagemask"));
}

TEST_CASE("A later color for a class replaces the earlier one; classes logged without a color keep theirs",
          "[class_colors]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"seg", small_image(colored)}});
    const auto first = fs::last_write_time(run.dir() / "imagemask" / "class-colors.json");
    run.log({{"seg", small_image(wandb_test::seed_labels)}});  // no colors: nothing to write
    CHECK(fs::last_write_time(run.dir() / "imagemask" / "class-colors.json") == first);
    run.log({{"seg", small_image(wandb::ClassLabels{{0, "person"}, {1, {"tree", wandb::Rgb{0, 255, 0}}}, {3, {"road", wandb::Rgb{5, 5, 5}}}})}});
    CHECK(colors_file(run)["layers"].dump() ==
          R"([{"key":["seg"],"type":"mask","layer":"gt","colors":{"0":"#c81e1e","3":"#050505","1":"#00ff00"}}])");
}

TEST_CASE("A log that fails after writing its colors takes them back", "[class_colors][faults]") {
    TempDir root;
    // In a child whose files may not grow past a limit just above the log's size: the media files
    // and the colors file (small) are written, then appending the row's records fails.
    const std::string report = wandb_test::in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
        run.log({{"seg", small_image(colored)}});
        const std::string before = wandb::Json(colors_file(run)).dump();
        const auto size = static_cast<rlim_t>(fs::file_size(run.log_path()) + 200);
        const rlimit limit{size, size};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        std::string out = wandb_test::outcome_of([&] {
            run.log({{"seg", small_image(wandb::ClassLabels{{0, {"person", wandb::Rgb{1, 1, 1}}}})},
                     {"pad", std::string(400, 'x')}});
        });
        out += colors_file(run).dump() == before ? "; colors kept" : "; colors changed: " + colors_file(run).dump();
        return out;
    });
    CHECK(report.rfind("IoError: wandb::OfflineRun::log: cannot write ", 0) == 0);
    CHECK(report.find("File too large; colors kept") != std::string::npos);

    TempDir fresh;
    const std::string first = wandb_test::in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        wandb::OfflineRun run(wandb_test::quiet_run_options(fresh.path()));
        const auto size = static_cast<rlim_t>(fs::file_size(run.log_path()) + 200);
        const rlimit limit{size, size};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        std::string out = wandb_test::outcome_of([&] { run.log({{"seg", small_image(colored)}, {"pad", std::string(400, 'x')}}); });
        return out + (fs::exists(run.dir() / "imagemask" / "class-colors.json") ? "; file left" : "; no file");
    });
    CHECK(first.find("File too large; no file") != std::string::npos);
}

TEST_CASE("Class colors change nothing W&B receives: payloads, files, history and config", "[class_colors]") {
    TempDir a, b;
    const auto plain = wandb::ClassLabels{{0, "person"}, {1, "tree"}, {3, "road"}};
    const wandb::RunPayload with = wandb::bind_to_run(small_image(colored), {a.path(), "seg", 0});
    const wandb::RunPayload without = wandb::bind_to_run(small_image(plain), {b.path(), "seg", 0});
    CHECK(with.value.dump() == without.value.dump());
    CHECK(with.files == without.files);
    wandb::Json config_with, config_without;
    wandb::add_class_label_singletons(config_with, with.singletons);
    wandb::add_class_label_singletons(config_without, without.singletons);
    CHECK(config_with.dump() == config_without.dump());

    auto records = [](const fs::path& root, const wandb::ClassLabels& labels) {
        wandb::OfflineRun run(wandb_test::quiet_run_options(root));
        run.log({{"seg", small_image(labels)}});
        run.finish();
        const auto log = wandb_test::read_back(run.log_path());
        return std::make_pair(wandb_test::item_value(log.of_kind("history").at(0)["item"], "seg").dump(),
                              log.of_kind("config").at(0).dump());
    };
    TempDir c, d;
    CHECK(records(c.path(), colored) == records(d.path(), plain));
}

}  // namespace test_class_colors
