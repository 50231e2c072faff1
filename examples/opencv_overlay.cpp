// Reads an image and its label PNG with OpenCV, crops the labelled region, and logs it with its
// mask and a Table of one crop per class into an offline run, from the cv::Mats' own memory.
//
// Usage: opencv_overlay IMAGE LABELS ROOT
// IMAGE is any image cv::imread reads (loaded as BGR); LABELS an 8-bit gray PNG of the same size
// whose pixel values are class ids (0 background, 1 building, 2 tree, 3 car). Creates
// ROOT/wandb/offline-run-<time>-<id>/ and prints that directory as the last line.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <wandb/opencv.hpp>
#include <wandb/wandb.hpp>

namespace {

/// The smallest rectangle holding every non-zero pixel of a CV_8UC1 Mat (empty if there is none).
cv::Rect bounding_box(const cv::Mat& nonzero) {
    std::vector<cv::Point> points;
    cv::findNonZero(nonzero, points);
    if (points.empty()) return {};
    int x0 = points[0].x, x1 = x0, y0 = points[0].y, y1 = y0;
    for (const cv::Point& p : points) {
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y);
        y1 = std::max(y1, p.y);
    }
    return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 4) {
        std::cerr << "usage: opencv_overlay IMAGE LABELS ROOT\n";
        return 2;
    }
    const cv::Mat image = cv::imread(argv[1], cv::IMREAD_COLOR);       // CV_8UC3, BGR
    const cv::Mat labels = cv::imread(argv[2], cv::IMREAD_UNCHANGED);  // CV_8UC1 class ids
    if (image.empty() || labels.empty()) {
        std::cerr << "opencv_overlay: cannot read " << (image.empty() ? argv[1] : argv[2]) << "\n";
        return 1;
    }
    if (labels.type() != CV_8UC1 || labels.size() != image.size()) {
        std::cerr << "opencv_overlay: the labels must be an 8-bit gray PNG of the image's size\n";
        return 1;
    }
    const wandb::ClassLabels class_labels = {{0, "background"}, {1, "building"}, {2, "tree"}, {3, "car"}};

    // The region of interest: every labelled pixel, with a 4-pixel margin. An ROI is a view into
    // the Mat (rows step[0] bytes apart, not contiguous); nothing is copied.
    const cv::Rect box = bounding_box(labels);
    const cv::Rect roi = cv::Rect(box.x - 4, box.y - 4, box.width + 8, box.height + 8) & cv::Rect(0, 0, image.cols, image.rows);
    const cv::Mat roi_image = image(roi), roi_labels = labels(roi);

    wandb::OfflineRunOptions options;
    options.project = "opencv_overlay";
    options.root = argv[3];
    wandb::OfflineRun run(options);

    // The crop with its ground truth overlaid; BGR is reordered to RGB as the PNG is written.
    auto overlay = wandb::image_from_mat(roi_image).with_mask("ground_truth", wandb::mask_from_mat(roi_labels, class_labels));

    // One row per class present: the class's bounding box inside the ROI, cropped again.
    wandb::Table crops({"class_id", "class", "pixels", "crop"});
    for (const auto& [id, name] : class_labels) {
        if (id == 0) continue;
        const cv::Mat is_class = roi_labels == id;
        const int pixels = cv::countNonZero(is_class);
        if (pixels == 0) continue;
        const cv::Rect r = bounding_box(is_class);
        crops.add_data({id, name, pixels,
                        wandb::image_from_mat(roi_image(r)).with_mask("ground_truth",
                                                                      wandb::mask_from_mat(roi_labels(r), class_labels))});
    }
    run.log({{"overlay", overlay},
             {"roi", wandb::Row{{"x", roi.x}, {"y", roi.y}, {"width", roi.width}, {"height", roi.height}}},
             {"crops", crops}});
    run.finish();
    std::cout << run.dir().string() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
