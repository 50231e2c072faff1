# The report of `wandb-imagemask view`: the page's template, style and script are embedded into
# the tool at build time (report_assets.cpp, generated), so the tool writes one self-contained file.
set(WANDB_REPORT_DIR "${CMAKE_CURRENT_SOURCE_DIR}/report")
add_custom_command(
  OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/report_assets.cpp"
  COMMAND "${CMAKE_COMMAND}" "-DOUTPUT=${CMAKE_CURRENT_BINARY_DIR}/report_assets.cpp"
          "-DSOURCE_DIR=${WANDB_REPORT_DIR}" -P "${WANDB_REPORT_DIR}/embed_assets.cmake"
  DEPENDS "${WANDB_REPORT_DIR}/report.html" "${WANDB_REPORT_DIR}/report.css" "${WANDB_REPORT_DIR}/report.js"
          "${WANDB_REPORT_DIR}/embed_assets.cmake"
  COMMENT "Embedding the report's page, style and script"
  VERBATIM)
set(WANDB_REPORT_SOURCES
  report/run_reader.cpp report/report_model.cpp report/report_html.cpp
  "${CMAKE_CURRENT_BINARY_DIR}/report_assets.cpp")
