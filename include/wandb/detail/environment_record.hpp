// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The Environment record of an offline run, built from the same machine facts as its
/// wandb-metadata.json (detail::run_metadata), so both say the same and any cleaning of those facts
/// applies to both. wandb-core's system monitor writes the record after the Run record
/// (`core/internal/monitor/monitor.go` probeExecutionContext and probeResources, merged by the
/// sender); the library writes one record with both parts, right after the Run record.

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../json.hpp"
#include "../version.hpp"
#include "records.hpp"
#include "run_files.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The EnvironmentRecord of the facts `run_metadata` returned (keys os, program, args, root, host,
/// executable, cpu_count, cpu_count_logical, memory.total; each optional), started at `started`,
/// for the writer `writer_id`.
inline EnvironmentRecord environment_record(const Json& facts, std::chrono::system_clock::time_point started,
                                            std::string writer_id) {
    EnvironmentRecord e;
    const auto text = [&facts](const char* key) {
        return facts.contains(key) && facts[key].is_string() ? facts[key].get<std::string>() : std::string();
    };
    const auto number = [](const Json& value) -> std::uint64_t {
        return value.is_number_unsigned() ? value.get<std::uint64_t>() : 0;
    };
    e.os = text("os");
    e.program = text("program");
    if (facts.contains("args"))
        for (const Json& a : facts["args"])
            if (a.is_string()) e.args.push_back(a.get<std::string>());
    e.root = text("root");
    e.host = text("host");
    e.executable = text("executable");
    if (facts.contains("cpu_count")) e.cpu_count = static_cast<std::uint32_t>(number(facts["cpu_count"]));
    if (facts.contains("cpu_count_logical"))
        e.cpu_count_logical = static_cast<std::uint32_t>(number(facts["cpu_count_logical"]));
    if (facts.contains("memory") && facts["memory"].contains("total")) e.memory_total = number(facts["memory"]["total"]);
    // The GPUs, as detail::add_gpu_facts wrote them for wandb-metadata.json (NVML, when present).
    e.gpu_type = text("gpu");
    if (facts.contains("gpu_count")) e.gpu_count = static_cast<std::uint32_t>(number(facts["gpu_count"]));
    if (facts.contains("gpu_nvidia"))
        for (const Json& d : facts["gpu_nvidia"]) {
            GpuNvidiaInfo gpu;
            gpu.name = d.value("name", std::string());
            gpu.uuid = d.value("uuid", std::string());
            const std::string memory = d.value("memoryTotal", std::string());  // a decimal string, as protojson writes uint64
            if (!memory.empty()) gpu.memory_total = std::strtoull(memory.c_str(), nullptr, 10);
            e.gpu_nvidia.push_back(std::move(gpu));
        }
    e.cuda_version = text("cudaVersion");
    const auto since_epoch = started.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    e.started_at = Timestamp{
        seconds.count(),
        static_cast<std::int32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count())};
    e.writer_id = std::move(writer_id);
    return e;
}

}  // namespace detail
WANDB_NAMESPACE_END
