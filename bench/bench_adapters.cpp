// Logging a 1024 x 1024 mask from a cv::Mat and from a LibTorch tensor against the same labels
// in an xt::xtensor of the same element type: building the mask and encoding its file (PNG +
// SHA-256, what OfflineRun::log does per mask), median of the repetitions, ratios to the
// xtensor baseline measured in the same run, interleaved so that load affects all alike.
//
// Usage: bench_adapters [--reps N]   (default 51)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <wandb/wandb.hpp>
#if defined(WANDB_BENCH_HAVE_OPENCV)
#include <wandb/opencv.hpp>
#endif
#if defined(WANDB_BENCH_HAVE_TORCH)
#include <ATen/ATen.h>

#include <wandb/torch.hpp>
#endif

namespace {

constexpr std::size_t side = 1024;

/// 21 classes in bands and blocks, with a diagonal edge: the run lengths of a segmentation.
int label_at(std::size_t r, std::size_t c) { return int((r / 64 * 7 + c / 96 + (r + c) / 300) % 21); }

struct Case {
    std::string name;
    std::string baseline;  // the xtensor case it is compared with ("" for a baseline)
    std::function<std::size_t()> run;  // returns the encoded size (kept, so nothing is optimised away)
    std::vector<double> ms;
};

template <class T>
xt::xtensor<T, 2> labels_as() {
    xt::xtensor<T, 2> t(std::array<std::size_t, 2>{side, side});
    for (std::size_t r = 0; r < side; ++r)
        for (std::size_t c = 0; c < side; ++c) t(r, c) = T(label_at(r, c));
    return t;
}

std::size_t encoded_size(const wandb::ImageMask<std::uint8_t>& mask) { return wandb::detail::encode_mask(mask).bytes->size(); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int reps = 51;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(1, std::atoi(argv[i + 1]));

    const auto x8 = labels_as<std::uint8_t>();
    const auto x32 = labels_as<std::int32_t>();
    const auto x64 = labels_as<std::int64_t>();
    std::vector<Case> cases;
    cases.push_back({"xt::xtensor<uint8_t>", "", [&] { return encoded_size(wandb::ImageMask<std::uint8_t>(wandb::ImageMask(x8))); }, {}});
    cases.push_back({"xt::xtensor<int32_t>", "", [&] { return encoded_size(wandb::ImageMask<std::uint8_t>(wandb::ImageMask(x32))); }, {}});
    cases.push_back({"xt::xtensor<int64_t>", "", [&] { return encoded_size(wandb::ImageMask<std::uint8_t>(wandb::ImageMask(x64))); }, {}});
#if defined(WANDB_BENCH_HAVE_OPENCV)
    constexpr int rows = static_cast<int>(side);
    // Cloned: reference-counted, as OpenCV allocates.
    const cv::Mat mat8 = cv::Mat(rows, rows, CV_8UC1, const_cast<std::uint8_t*>(x8.data())).clone();
    const cv::Mat mat32 = cv::Mat(rows, rows, CV_32SC1, const_cast<std::int32_t*>(x32.data())).clone();
    cases.push_back({"cv::Mat CV_8UC1", "xt::xtensor<uint8_t>", [&] { return encoded_size(wandb::mask_from_mat(mat8)); }, {}});
    cases.push_back({"cv::Mat CV_32SC1", "xt::xtensor<int32_t>", [&] { return encoded_size(wandb::mask_from_mat(mat32)); }, {}});
#endif
#if defined(WANDB_BENCH_HAVE_TORCH)
    const at::Tensor t8 = at::from_blob(const_cast<std::uint8_t*>(x8.data()), {long(side), long(side)}, at::kByte).clone();
    const at::Tensor t64 = at::from_blob(const_cast<std::int64_t*>(x64.data()), {long(side), long(side)}, at::kLong).clone();
    cases.push_back({"torch kUInt8", "xt::xtensor<uint8_t>", [&] { return encoded_size(wandb::mask_from_tensor(t8)); }, {}});
    cases.push_back({"torch kInt64", "xt::xtensor<int64_t>", [&] { return encoded_size(wandb::mask_from_tensor(t64)); }, {}});
#endif

    std::size_t sink = 0;
    for (Case& c : cases) sink += c.run();  // warm-up
    for (int rep = 0; rep < reps; ++rep)
        for (Case& c : cases) {
            const auto start = std::chrono::steady_clock::now();
            sink += c.run();
            c.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        }

    std::printf("1024 x 1024 mask: build the mask + encode its file (PNG, SHA-256); median of %d\n", reps);
    std::printf("%-22s %10s %12s\n", "source", "median ms", "vs xtensor");
    double worst = 0;
    for (const Case& c : cases) {
        const double m = median(c.ms);
        if (c.baseline.empty()) {
            std::printf("%-22s %10.3f %12s\n", c.name.c_str(), m, "baseline");
            continue;
        }
        const auto base = std::find_if(cases.begin(), cases.end(), [&](const Case& b) { return b.name == c.baseline; });
        const double ratio = m / median(base->ms);
        worst = std::max(worst, ratio);
        std::printf("%-22s %10.3f %11.3fx  (of %s)\n", c.name.c_str(), m, ratio, c.baseline.c_str());
    }
    std::printf("max ratio to the xtensor baseline: %.3f (target <= 1.05)\n", worst);
    return sink == 0 ? 1 : 0;
}
