// Fuzz target: the bytes of a `.wandb` log, through wandb::RunLogReader (header, blocks, chunks,
// CRCs) and wandb::decode_record on every record it returns. read_all and next() must agree;
// offsets must be ordered and inside the file; decoded JSON must serialize; history, summary and
// config items reassemble (wandb::items_to_object) or throw FormatError; relocation's rewrite of
// the artifact paths leaves a record that decodes whenever the original did. Anything but
// wandb::FormatError escaping, a crash, a leak or an allocation over the limit is a failure.
#include <optional>
#include <string>
#include <string_view>

#include <wandb/detail/moved_paths.hpp>
#include <wandb/detail/proto_rewrite.hpp>
#include <wandb/record_items.hpp>
#include <wandb/record_json.hpp>
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
        bool decodes = false;
        try {
            const wandb::Json json = wandb::decode_record(record.data);
            WANDB_FUZZ_CHECK(json.is_object());
            (void)json.dump();  // strings were checked for UTF-8: serializing cannot throw
            decodes = true;
            for (const auto& [kind, items] : {std::pair{"history", "item"}, {"summary", "update"}, {"config", "update"}})
                if (json.contains(kind) && json[kind].contains(items)) {
                    try {
                        (void)wandb::items_to_object(json[kind][items]).dump();
                    } catch (const wandb::FormatError&) {
                    }
                }
        } catch (const wandb::FormatError&) {
        }
        auto replace = [](std::string_view old) -> std::optional<std::string> {
            return old.size() % 2 ? std::optional<std::string>("/moved" + std::string(old) + std::string(200, 'x'))
                                  : std::nullopt;
        };
        std::string bytes(record.data.begin(), record.data.end());
        try {
            for (const auto& fields : wandb::detail::absolute_path_fields())
                if (auto rewritten = wandb::detail::rewrite_string_fields(bytes, fields, 0, replace))
                    bytes = std::move(*rewritten);
            if (decodes) {
                try {
                    (void)wandb::decode_record(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
                } catch (const wandb::FormatError&) {
                    // A path made longer may stop being UTF-8 only if it was not before: then the
                    // original did not decode either.
                    WANDB_FUZZ_CHECK(false);
                }
            }
        } catch (const wandb::detail::ProtoError&) {
            WANDB_FUZZ_CHECK(!decodes);  // the rewrite walks only what decode_record walks, and less
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
