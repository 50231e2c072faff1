// Fuzz target: the bytes of a `.wandb` log, through wandb::RunLogReader (header, blocks, chunks,
// CRCs) and wandb::decode_record on every record it returns. read_all and next() must agree;
// offsets must be ordered and inside the file; decoded JSON must serialize. Anything but
// wandb::FormatError escaping, a crash, a leak or an allocation over the limit is a failure.
#include <string>

#include <wandb/run_log.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = wandb_fuzz::write_scratch("run.wandb", data, size);
    wandb::LogReadResult all;
    try {
        wandb::RunLogReader reader(path.string());
        all = reader.read_all();
    } catch (const wandb::FormatError&) {
        WANDB_FUZZ_CHECK(size < 7 || std::string(reinterpret_cast<const char*>(data), 4) != ":W&B" || data[4] != 0xE1 ||
                         data[5] != 0xBE || data[6] != 0);
        return 0;
    }
    std::uint64_t previous = 0;
    for (const auto& record : all.records) {
        WANDB_FUZZ_CHECK(record.offset >= 7 && record.offset < size && (previous == 0 || record.offset > previous));
        WANDB_FUZZ_CHECK(record.data.size() < size);
        previous = record.offset;
        try {
            const wandb::Json json = wandb::decode_record(record.data);
            WANDB_FUZZ_CHECK(json.is_object());
            (void)json.dump();  // strings were checked for UTF-8: serializing cannot throw
        } catch (const wandb::FormatError&) {
        }
    }
    if (all.problem) WANDB_FUZZ_CHECK(all.problem->offset <= size && all.problem->offset >= previous);

    // Reading record by record finds the same records and the same problem.
    wandb::RunLogReader again(path.string());
    std::size_t k = 0;
    try {
        while (auto record = again.next()) {
            WANDB_FUZZ_CHECK(k < all.records.size() && record->offset == all.records[k].offset &&
                             record->data == all.records[k].data);
            ++k;
        }
        WANDB_FUZZ_CHECK(!all.problem);
    } catch (const wandb::FormatError& e) {
        WANDB_FUZZ_CHECK(all.problem && std::string(e.what()) == "wandb::RunLogReader: " + path.string() + ": " +
                                                                   all.problem->message);
    }
    WANDB_FUZZ_CHECK(k == all.records.size());
    return 0;
}
