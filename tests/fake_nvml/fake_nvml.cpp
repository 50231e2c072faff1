// A stand-in for NVIDIA's libnvidia-ml.so.1, built by the tests and loaded through LD_LIBRARY_PATH
// in a child process: it exports exactly the NVML functions detail/nvml.hpp resolves, with the
// signatures of nvml.h, and reports two GPUs with the fixed readings below. Written from NVML's
// documented API (docs.nvidia.com/deploy/nvml-api), not from the library's code.
//
// FAKE_NVML_FAIL=name,name,... makes those functions fail with NVML_ERROR_UNKNOWN (999): the
// names are the NVML function names without the "nvml" prefix, e.g. DeviceGetTemperature.
// FAKE_NVML_FAIL_DEVICE=<index> limits the failures to that device.
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr int success = 0, error_invalid_argument = 2, error_unknown = 999;

struct FakeDevice {
    const char* name;
    const char* uuid;
    unsigned gpu_percent, memory_percent;
    unsigned long long total, used;
    unsigned temperature, power_mw, limit_mw, sm_mhz, mem_mhz;
};

const FakeDevice devices[] = {
    {"Fake GPU A100", "GPU-11111111-2222-3333-4444-555555555555", 37, 12, 17179869184ull, 4294967296ull, 61, 123456,
     250000, 1410, 1215},
    {"Fake GPU T4", "GPU-66666666-7777-8888-9999-000000000000", 0, 0, 16106127360ull, 0, 45, 70000, 70000, 300, 5000},
};
constexpr unsigned device_count = 2;

bool fails(const char* function, const void* device) {
    const char* list = std::getenv("FAKE_NVML_FAIL");
    if (!list) return false;
    const char* only = std::getenv("FAKE_NVML_FAIL_DEVICE");
    if (only && device && static_cast<const FakeDevice*>(device) != &devices[std::atoi(only)]) return false;
    const std::string all = std::string(",") + list + ",";
    return all.find(std::string(",") + function + ",") != std::string::npos;
}

const FakeDevice* device_of(void* handle) {
    for (const FakeDevice& d : devices)
        if (handle == &d) return &d;
    return nullptr;
}

int copy_text(const char* text, char* out, unsigned length) {
    if (!out || std::strlen(text) + 1 > length) return error_invalid_argument;
    std::memcpy(out, text, std::strlen(text) + 1);
    return success;
}

}  // namespace

#define FAKE_NVML extern "C" __attribute__((visibility("default")))

struct nvmlUtilization_t {
    unsigned int gpu;
    unsigned int memory;
};
struct nvmlMemory_t {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};

FAKE_NVML int nvmlInit_v2() { return fails("Init_v2", nullptr) ? error_unknown : success; }
FAKE_NVML int nvmlShutdown() { return success; }
FAKE_NVML const char* nvmlErrorString(int result) { return result == error_unknown ? "Unknown Error" : "Fake Error"; }
FAKE_NVML int nvmlSystemGetCudaDriverVersion_v2(int* version) {
    *version = 12020;  // CUDA 12.2
    return success;
}
FAKE_NVML int nvmlDeviceGetCount_v2(unsigned int* count) {
    *count = device_count;
    return success;
}
FAKE_NVML int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
    if (index >= device_count) return error_invalid_argument;
    *device = const_cast<FakeDevice*>(&devices[index]);
    return success;
}
FAKE_NVML int nvmlDeviceGetName(void* device, char* name, unsigned int length) {
    const FakeDevice* d = device_of(device);
    if (!d) return error_invalid_argument;
    return fails("DeviceGetName", d) ? error_unknown : copy_text(d->name, name, length);
}
FAKE_NVML int nvmlDeviceGetUUID(void* device, char* uuid, unsigned int length) {
    const FakeDevice* d = device_of(device);
    if (!d) return error_invalid_argument;
    return fails("DeviceGetUUID", d) ? error_unknown : copy_text(d->uuid, uuid, length);
}
FAKE_NVML int nvmlDeviceGetUtilizationRates(void* device, nvmlUtilization_t* utilization) {
    const FakeDevice* d = device_of(device);
    if (!d) return error_invalid_argument;
    if (fails("DeviceGetUtilizationRates", d)) return error_unknown;
    utilization->gpu = d->gpu_percent;
    utilization->memory = d->memory_percent;
    return success;
}
FAKE_NVML int nvmlDeviceGetMemoryInfo(void* device, nvmlMemory_t* memory) {
    const FakeDevice* d = device_of(device);
    if (!d) return error_invalid_argument;
    if (fails("DeviceGetMemoryInfo", d)) return error_unknown;
    memory->total = d->total;
    memory->used = d->used;
    memory->free = d->total - d->used;
    return success;
}
FAKE_NVML int nvmlDeviceGetTemperature(void* device, int sensor, unsigned int* temperature) {
    const FakeDevice* d = device_of(device);
    if (!d || sensor != 0) return error_invalid_argument;  // NVML_TEMPERATURE_GPU
    if (fails("DeviceGetTemperature", d)) return error_unknown;
    *temperature = d->temperature;
    return success;
}
FAKE_NVML int nvmlDeviceGetPowerUsage(void* device, unsigned int* milliwatts) {
    const FakeDevice* d = device_of(device);
    if (!d) return error_invalid_argument;
    if (fails("DeviceGetPowerUsage", d)) return error_unknown;
    *milliwatts = d->power_mw;
    return success;
}
FAKE_NVML int nvmlDeviceGetEnforcedPowerLimit(void* device, unsigned int* milliwatts) {
    const FakeDevice* d = device_of(device);
    if (!d) return error_invalid_argument;
    if (fails("DeviceGetEnforcedPowerLimit", d)) return error_unknown;
    *milliwatts = d->limit_mw;
    return success;
}
FAKE_NVML int nvmlDeviceGetClockInfo(void* device, int type, unsigned int* mhz) {
    const FakeDevice* d = device_of(device);
    if (!d || (type != 1 && type != 2)) return error_invalid_argument;  // NVML_CLOCK_SM, NVML_CLOCK_MEM
    if (fails("DeviceGetClockInfo", d)) return error_unknown;
    *mhz = type == 1 ? d->sm_mhz : d->mem_mhz;
    return success;
}
