// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The umbrella header: everything a program needs to log masks, images, boxes and tables to W&B.

#include "bounding_boxes.hpp"
#include "classes.hpp"
#include "error.hpp"
#include "histogram.hpp"
#include "image.hpp"
#include "image_mask.hpp"
#include "json.hpp"
#include "log_options.hpp"
#include "media.hpp"
#include "offline_run.hpp"
#include "png.hpp"
#include "record_json.hpp"
#include "record_items.hpp"
#include "row.hpp"
#include "run_options.hpp"
#include "run_log.hpp"
#include "table.hpp"
#include "version.hpp"

#if defined(WANDB_IMAGEMASK_IMPLEMENTATION)
// The implementation file compiles every definition, the run-directory tools' too.
#include "run_dir.hpp"
#include "run_relocate.hpp"
#include "run_verify.hpp"
#endif
