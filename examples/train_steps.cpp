// SDK habits in C++: training and evaluation code logging into one step, commit=false pieces, define_metric summaries.
//
// Usage: train_steps ROOT
// Writes ROOT/wandb/offline-run-<time>-<id>/ and prints that directory as the last line.
// Each epoch is 10 training steps; the last one also gets the evaluation's values and a masked
// image from a second log call at the same step, as in Python:
//   run.log({"loss": loss}, step=step); ...; run.log({"val/iou": iou, "examples": img}, step=step, commit=True)
// then two commit=False pieces and a call that commits them: one more row, step 30. define_metric
// gives `val/*` the x-axis `epoch` and a max summary, `loss` its min and mean: the library computes
// them into the run's summary, as wandb-core's handler would.
#include <cstdint>
#include <iostream>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include <wandb/wandb.hpp>

namespace {

/// A 32x32 mask: class 1 below row `split`, class 0 above.
xt::xtensor<std::uint8_t, 2> split_mask(std::size_t split) {
    xt::xtensor<std::uint8_t, 2> mask = xt::zeros<std::uint8_t>({32, 32});
    xt::view(mask, xt::range(split, 32), xt::all()) = 1;
    return mask;
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::cerr << "usage: train_steps ROOT\n";
        return 2;
    }
    wandb::OfflineRunOptions options;
    options.root = argv[1];
    options.project = "wandb-imagemask-demo";
    options.job_type = "train";
    options.quiet = true;
    wandb::OfflineRun run(options);
    run.define_metric("epoch");  // run.define_metric("epoch")
    wandb::MetricOptions val;    // run.define_metric("val/*", step_metric="epoch", summary="max")
    val.step_metric = "epoch";
    val.summary = "max";
    run.define_metric("val/*", val);
    wandb::MetricOptions loss_summary;  // run.define_metric("loss", summary="min,mean")
    loss_summary.summary = "min,mean";
    run.define_metric("loss", loss_summary);

    const wandb::ClassLabels labels = {{0, "sky"}, {1, "road"}};
    const xt::xtensor<std::uint8_t, 3> scene(std::array<std::size_t, 3>{32, 32, 3}, 120);
    double loss = 1.0;
    std::int64_t step = 0;
    for (int epoch = 0; epoch < 3; ++epoch) {
        for (int batch = 0; batch < 10; ++batch, ++step) {
            loss *= 0.9;
            // The training code: run.log({"loss": ..., "lr": ...}, step=step). The row stays open.
            run.log({{"loss", loss}, {"lr", 0.1 / (epoch + 1)}, {"epoch", epoch}}, step);
            if (batch == 9) {
                // The evaluation code, elsewhere, at the same step: its values join the row, and
                // commit=True writes it now (else the next step, or finish, would).
                const double iou = 0.5 + 0.1 * epoch - 0.15 * (epoch == 2);  // the best epoch is 1
                run.log({{"val/iou", iou},
                         {"examples", wandb::Image(scene).with_mask(
                                             "predictions", wandb::ImageMask(split_mask(16 - 4 * epoch), labels))}},
                        {step, true});
            }
        }
    }
    // commit=false pieces, then one call without a step that commits them: one row.
    run.log({{"test/loss", loss * 1.1}}, {{}, false});
    run.log({{"test/accuracy", 0.8}}, {{}, false});
    run.log({{"epoch", 3}});  // no step, so commit=True: writes the row of step 30
    run.finish();
    std::cout << run.dir().string() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
