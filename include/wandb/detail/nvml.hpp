// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// NVIDIA GPU metrics through NVML, loaded at run time with dlopen("libnvidia-ml.so.1") (the name
/// W&B's GPU sampler and NVIDIA's go-nvml load): no build dependency, and nothing happens on a
/// machine without the library. Only the functions below are resolved, each with dlsym.
///
/// Metric names, units and formulas are those of W&B's GPU sampler (xpu/src/gpu_nvidia.rs in W&B's
/// repository), per device index i:
///
/// | name | value | NVML call |
/// |---|---|---|
/// | `gpu.<i>.gpu` | utilization, % (double) | nvmlDeviceGetUtilizationRates .gpu |
/// | `gpu.<i>.memory` | memory-controller utilization, % (integer) | nvmlDeviceGetUtilizationRates .memory |
/// | `gpu.<i>.memoryAllocated` | used / total x 100 (double) | nvmlDeviceGetMemoryInfo |
/// | `gpu.<i>.memoryAllocatedBytes` | used bytes (integer) | nvmlDeviceGetMemoryInfo |
/// | `gpu.<i>.temp` | GPU temperature, degrees C (double) | nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU) |
/// | `gpu.<i>.powerWatts` | milliwatts / 1000 (double) | nvmlDeviceGetPowerUsage |
/// | `gpu.<i>.enforcedPowerLimitWatts` | milliwatts / 1000 (double) | nvmlDeviceGetEnforcedPowerLimit |
/// | `gpu.<i>.powerPercent` | power / limit x 100 (double) | both |
/// | `gpu.<i>.smClock`, `gpu.<i>.memoryClock` | MHz (integer) | nvmlDeviceGetClockInfo(SM, MEM) |
///
/// A call that fails for a device drops its metrics for that device, with one warning, as W&B's
/// sampler drops them. Not sampled (W&B does): fan speed, ECC error counts, the per-process
/// `gpu.process.<i>.*` copies, and the Hopper GPM metrics.

#include <dlfcn.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../json.hpp"
#include "../version.hpp"
#include "system_metrics.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The NVML library, opened once per process and never closed (NVML may run threads of its
/// own). Thread-safe: NVML's functions are.
class NvmlLibrary {
public:
    /// NVML types, as nvml.h declares them.
    using Return = int;  ///< nvmlReturn_t; 0 = NVML_SUCCESS
    using Device = struct nvmlDevice_st*;
    struct Utilization {
        unsigned int gpu;
        unsigned int memory;
    };
    struct Memory {
        unsigned long long total;
        unsigned long long free;
        unsigned long long used;
    };
    static constexpr int temperature_gpu = 0;                  ///< NVML_TEMPERATURE_GPU
    static constexpr int clock_sm = 1, clock_mem = 2;          ///< NVML_CLOCK_SM, NVML_CLOCK_MEM
    static constexpr unsigned name_size = 96, uuid_size = 80;  ///< NVML_DEVICE_*_V2_BUFFER_SIZE

    /// The process's NVML, initialised; nullptr when libnvidia-ml.so.1 cannot be loaded, lacks one
    /// of its four basic functions or nvmlInit_v2 fails (`why` then says which, for a warning).
    static NvmlLibrary* instance(std::string* why = nullptr) {
        static std::string failure;
        static NvmlLibrary* const loaded = []() -> NvmlLibrary* {
            auto* lib = new NvmlLibrary;  // never deleted: see the class comment
            if (lib->load()) return lib;
            failure = lib->error_;
            delete lib;
            return nullptr;
        }();
        if (!loaded && why) *why = failure;
        return loaded;
    }

    /// A short text for an NVML error code ("Unknown Error"), or the code's number.
    std::string error_text(Return code) const {
        if (error_string_) {
            const char* text = error_string_(code);
            if (text) return text;
        }
        return "NVML error " + std::to_string(code);
    }

    Return (*device_get_count)(unsigned int*) = nullptr;
    Return (*device_get_handle_by_index)(unsigned int, Device*) = nullptr;
    Return (*device_get_name)(Device, char*, unsigned int) = nullptr;
    Return (*device_get_uuid)(Device, char*, unsigned int) = nullptr;
    Return (*device_get_utilization_rates)(Device, Utilization*) = nullptr;
    Return (*device_get_memory_info)(Device, Memory*) = nullptr;
    Return (*device_get_temperature)(Device, int, unsigned int*) = nullptr;
    Return (*device_get_power_usage)(Device, unsigned int*) = nullptr;
    Return (*device_get_enforced_power_limit)(Device, unsigned int*) = nullptr;
    Return (*device_get_clock_info)(Device, int, unsigned int*) = nullptr;
    Return (*system_get_cuda_driver_version)(int*) = nullptr;

private:
    NvmlLibrary() = default;

    template <class F>
    void resolve(F& f, const char* name) {
        void* symbol = ::dlsym(handle_, name);
        static_assert(sizeof f == sizeof symbol, "function and object pointers differ in size");
        std::memcpy(&f, &symbol, sizeof f);  // POSIX: dlsym's result is the function's address
    }

    bool load() {
        handle_ = ::dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!handle_) {
            const char* e = ::dlerror();
            error_ = e ? e : "libnvidia-ml.so.1 not found";
            return false;
        }
        Return (*init)() = nullptr;
        resolve(init, "nvmlInit_v2");
        resolve(device_get_count, "nvmlDeviceGetCount_v2");
        resolve(device_get_handle_by_index, "nvmlDeviceGetHandleByIndex_v2");
        resolve(error_string_, "nvmlErrorString");
        resolve(device_get_name, "nvmlDeviceGetName");
        resolve(device_get_uuid, "nvmlDeviceGetUUID");
        resolve(device_get_utilization_rates, "nvmlDeviceGetUtilizationRates");
        resolve(device_get_memory_info, "nvmlDeviceGetMemoryInfo");
        resolve(device_get_temperature, "nvmlDeviceGetTemperature");
        resolve(device_get_power_usage, "nvmlDeviceGetPowerUsage");
        resolve(device_get_enforced_power_limit, "nvmlDeviceGetEnforcedPowerLimit");
        resolve(device_get_clock_info, "nvmlDeviceGetClockInfo");
        resolve(system_get_cuda_driver_version, "nvmlSystemGetCudaDriverVersion_v2");
        if (!system_get_cuda_driver_version) resolve(system_get_cuda_driver_version, "nvmlSystemGetCudaDriverVersion");
        if (!init || !device_get_count || !device_get_handle_by_index) {
            error_ = "libnvidia-ml.so.1 lacks nvmlInit_v2, nvmlDeviceGetCount_v2 or nvmlDeviceGetHandleByIndex_v2";
            return false;  // the handle stays open: closing a half-usable NVML gains nothing
        }
        if (const Return r = init(); r != 0) {
            error_ = "nvmlInit_v2 failed: " + error_text(r);
            return false;
        }
        return true;
    }

    void* handle_ = nullptr;
    const char* (*error_string_)(Return) = nullptr;
    std::string error_;
};

/// What the run's metadata says about its NVIDIA GPUs (EnvironmentRecord's gpu, gpu_count,
/// gpu_nvidia and cuda_version in wandb_internal.proto). Empty without NVML.
struct GpuFacts {
    struct Device {
        std::string name;                ///< e.g. "NVIDIA A100-SXM4-80GB" (GpuNvidiaInfo.name = 1)
        std::uint64_t memory_total = 0;  ///< bytes (GpuNvidiaInfo.memory_total = 2)
        std::string uuid;                ///< "GPU-..." (GpuNvidiaInfo.uuid = 5)
    };
    std::vector<Device> devices;
    std::string cuda_version;  ///< the driver's CUDA version, "12.2"; "" if unknown
};

/// Adds the GPU facts to wandb-metadata.json as the SDK writes them there (protojson of
/// EnvironmentRecord): "gpu" (the first device's name), "gpu_count", "gpu_nvidia" (name,
/// memoryTotal as a decimal string, uuid) and "cudaVersion". Adds nothing without GPUs.
inline void add_gpu_facts(Json& metadata, const GpuFacts& facts) {
    if (facts.devices.empty()) return;
    metadata["gpu"] = facts.devices.front().name;
    metadata["gpu_count"] = facts.devices.size();
    Json devices = Json::array();
    for (const auto& d : facts.devices) {
        Json entry = Json::object();
        if (!d.name.empty()) entry["name"] = d.name;
        if (d.memory_total) entry["memoryTotal"] = std::to_string(d.memory_total);
        if (!d.uuid.empty()) entry["uuid"] = d.uuid;
        devices.push_back(std::move(entry));
    }
    metadata["gpu_nvidia"] = std::move(devices);
    if (!facts.cuda_version.empty()) metadata["cudaVersion"] = facts.cuda_version;
}

/// Samples the GPUs of one NVML library, per device and metric group, dropping a group that fails.
class GpuSampler {
public:
    /// Finds the devices. Never throws; without devices, sample() adds nothing.
    explicit GpuSampler(NvmlLibrary& nvml) : nvml_(nvml) {
        unsigned int count = 0;
        if (nvml_.device_get_count(&count) != 0) return;
        for (unsigned int i = 0; i < count; ++i) {
            NvmlLibrary::Device handle = nullptr;
            if (nvml_.device_get_handle_by_index(i, &handle) != 0) continue;
            devices_.push_back({i, handle, {}});
        }
    }

    /// Static facts for the metadata: names, total memory, UUIDs, CUDA version.
    GpuFacts facts() const {
        GpuFacts out;
        for (const auto& d : devices_) {
            GpuFacts::Device f;
            char text[NvmlLibrary::name_size] = {};
            if (nvml_.device_get_name && nvml_.device_get_name(d.handle, text, sizeof text) == 0)
                f.name = bounded(text, sizeof text);
            char uuid[NvmlLibrary::uuid_size] = {};
            if (nvml_.device_get_uuid && nvml_.device_get_uuid(d.handle, uuid, sizeof uuid) == 0)
                f.uuid = bounded(uuid, sizeof uuid);
            NvmlLibrary::Memory mem{};
            if (nvml_.device_get_memory_info && nvml_.device_get_memory_info(d.handle, &mem) == 0)
                f.memory_total = mem.total;
            out.devices.push_back(std::move(f));
        }
        int version = 0;
        if (!devices_.empty() && nvml_.system_get_cuda_driver_version &&
            nvml_.system_get_cuda_driver_version(&version) == 0 && version > 0)
            out.cuda_version = std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
        return out;
    }

    /// Number of devices found.
    std::size_t device_count() const noexcept { return devices_.size(); }

    /// Appends every device's metrics to `out`; a failing call is reported once per device and
    /// metric group ("gpu.0.temp: nvmlDeviceGetTemperature failed: Unknown Error; not sampled any
    /// more") and not tried again. Never throws.
    void sample(std::vector<Metric>& out, const Warn& warn) {
        for (DeviceState& d : devices_) {
            const std::string p = "gpu." + std::to_string(d.index) + ".";
            call(d, utilization_group, out, warn, p + "gpu, " + p + "memory", "nvmlDeviceGetUtilizationRates",
                 nvml_.device_get_utilization_rates, [&](std::vector<Metric>& m, auto f) {
                     NvmlLibrary::Utilization u{};
                     const auto r = f(d.handle, &u);
                     m.push_back({p + "gpu", static_cast<double>(u.gpu)});
                     m.push_back({p + "memory", static_cast<double>(u.memory), true});
                     return r;
                 });
            call(d, memory_group, out, warn, p + "memoryAllocated, " + p + "memoryAllocatedBytes",
                 "nvmlDeviceGetMemoryInfo", nvml_.device_get_memory_info, [&](std::vector<Metric>& m, auto f) {
                     NvmlLibrary::Memory mem{};
                     const auto r = f(d.handle, &mem);
                     m.push_back(
                         {p + "memoryAllocated",
                          mem.total ? static_cast<double>(mem.used) / static_cast<double>(mem.total) * 100 : 0.0});
                     m.push_back({p + "memoryAllocatedBytes", static_cast<double>(mem.used), true});
                     return r;
                 });
            call(d, temperature_group, out, warn, p + "temp", "nvmlDeviceGetTemperature", nvml_.device_get_temperature,
                 [&](std::vector<Metric>& m, auto f) {
                     unsigned int t = 0;
                     const auto r = f(d.handle, NvmlLibrary::temperature_gpu, &t);
                     m.push_back({p + "temp", static_cast<double>(t)});
                     return r;
                 });
            double watts = -1;
            call(d, power_group, out, warn, p + "powerWatts", "nvmlDeviceGetPowerUsage", nvml_.device_get_power_usage,
                 [&](std::vector<Metric>& m, auto f) {
                     unsigned int mw = 0;
                     const auto r = f(d.handle, &mw);
                     watts = static_cast<double>(mw) / 1000.0;
                     m.push_back({p + "powerWatts", watts});
                     return r;
                 });
            if (watts >= 0)  // as W&B: the limit only where the power is known
                call(d, power_limit_group, out, warn, p + "enforcedPowerLimitWatts, " + p + "powerPercent",
                     "nvmlDeviceGetEnforcedPowerLimit", nvml_.device_get_enforced_power_limit,
                     [&](std::vector<Metric>& m, auto f) {
                         unsigned int mw = 0;
                         const auto r = f(d.handle, &mw);
                         const double limit = static_cast<double>(mw) / 1000.0;
                         m.push_back({p + "enforcedPowerLimitWatts", limit});
                         if (limit > 0) m.push_back({p + "powerPercent", watts / limit * 100});
                         return r;
                     });
            call(d, sm_clock_group, out, warn, p + "smClock", "nvmlDeviceGetClockInfo(SM)", nvml_.device_get_clock_info,
                 [&](std::vector<Metric>& m, auto f) {
                     unsigned int mhz = 0;
                     const auto r = f(d.handle, NvmlLibrary::clock_sm, &mhz);
                     m.push_back({p + "smClock", static_cast<double>(mhz), true});
                     return r;
                 });
            call(d, memory_clock_group, out, warn, p + "memoryClock", "nvmlDeviceGetClockInfo(MEM)",
                 nvml_.device_get_clock_info, [&](std::vector<Metric>& m, auto f) {
                     unsigned int mhz = 0;
                     const auto r = f(d.handle, NvmlLibrary::clock_mem, &mhz);
                     m.push_back({p + "memoryClock", static_cast<double>(mhz), true});
                     return r;
                 });
        }
    }

private:
    enum Group {
        utilization_group,
        memory_group,
        temperature_group,
        power_group,
        power_limit_group,
        sm_clock_group,
        memory_clock_group,
        group_count
    };
    struct DeviceState {
        unsigned int index = 0;
        NvmlLibrary::Device handle = nullptr;
        bool dropped[group_count] = {};
    };

    static std::string bounded(const char* text, std::size_t size) { return std::string(text, ::strnlen(text, size)); }

    /// Runs `read(metrics, function)` for one group of one device unless dropped; keeps its
    /// metrics only if the NVML call succeeded, else drops the group with one warning.
    template <class F, class Read>
    void call(DeviceState& d, Group g, std::vector<Metric>& out, const Warn& warn, const std::string& names,
              const char* function, F* f, Read&& read) {
        if (d.dropped[g]) return;
        std::string error;
        if (!f) {
            error = std::string(function) + " is missing from libnvidia-ml.so.1";
        } else {
            std::vector<Metric> got;
            const NvmlLibrary::Return r = read(got, f);
            if (r == 0) {
                out.insert(out.end(), got.begin(), got.end());
                return;
            }
            error = std::string(function) + " failed: " + nvml_.error_text(r);
        }
        d.dropped[g] = true;
        if (warn) warn("GPU metrics " + names + ": " + error + "; not sampled any more");
    }

    NvmlLibrary& nvml_;
    std::vector<DeviceState> devices_;
};

}  // namespace detail
WANDB_NAMESPACE_END
