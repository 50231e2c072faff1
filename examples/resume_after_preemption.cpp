// Resume after preemption: a job killed mid-run and started again continues the same run (resume=allow).
//
// Usage: resume_after_preemption ROOT [--preempted-after STEP]
// Logs loss = 1 / (1 + step) for steps 0..19 into the run "preemption-demo" below ROOT, starting
// after the last step that earlier starts of the job wrote (run.next_step()). With
// --preempted-after STEP the job dies right after logging STEP, as a preempted job does (std::_Exit:
// no finish, no Exit record), and leaves its fragment for the next start to continue.
// Prints the run directory of this start as the last line.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <wandb/wandb.hpp>

int main(int argc, char** argv) try {
    std::optional<std::int64_t> preempted_after;
    if (argc == 4 && std::string(argv[2]) == "--preempted-after") {
        preempted_after = std::stoll(argv[3]);
    } else if (argc != 2) {
        std::cerr << "usage: resume_after_preemption ROOT [--preempted-after STEP]\n";
        return 2;
    }
    wandb::OfflineRunOptions options;
    options.root = argv[1];
    options.project = "wandb-imagemask-demo";
    options.run_id = "preemption-demo";  // on SLURM: "slurm-" + $SLURM_JOB_ID, the same after a requeue
    options.resume = wandb::Resume::allow;  // wandb.init(id=..., resume="allow")
    options.config = {{"total_steps", 20}};
    options.quiet = true;
    wandb::OfflineRun run(options);
    std::cout << run.dir().string() << std::endl;  // printed now: a preempted job prints nothing later
    for (std::int64_t step = run.next_step(); step < 20; ++step) {
        run.log({{"loss", 1.0 / double(1 + step)}});
        if (preempted_after && step == *preempted_after) std::_Exit(137);  // killed: the row is written
    }
    run.finish();
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
