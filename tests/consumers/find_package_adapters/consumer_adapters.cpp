// A user's program with the OpenCV and Eigen adapters: a mask from a cv::Mat ROI and one from an
// Eigen block, both encoded; checks their sizes.
#include <iostream>

#include <wandb/eigen.hpp>
#include <wandb/opencv.hpp>
#include <wandb/wandb.hpp>

int main() {
    const cv::Mat labels(8, 8, CV_32SC1, cv::Scalar::all(3));
    const Eigen::MatrixXi ids = Eigen::MatrixXi::Constant(8, 8, 2);
    const auto from_mat = wandb::mask_from_mat(labels(cv::Rect(1, 2, 5, 4)));
    const auto from_eigen = wandb::mask_from_eigen(ids.block(0, 0, 4, 5));
    const bool ok = from_mat.height() == 4 && from_mat.width() == 5 && from_eigen.height() == 4 &&
                    wandb::detail::encode_mask(from_mat).bytes->size() > 8 &&
                    wandb::detail::encode_mask(from_eigen).bytes->size() > 8;
    std::cout << (ok ? "adapters consumer OK" : "adapters consumer: wrong masks") << "\n";
    return ok ? 0 : 1;
}
