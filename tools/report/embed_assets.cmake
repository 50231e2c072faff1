# Writes a C++ source holding the report's page, style and script as byte arrays:
#   cmake -DOUTPUT=out.cpp -DSOURCE_DIR=tools/report -P embed_assets.cmake
# report.html, report.css and report.js become `wandb_tool::assets::report_html` etc.
# (NUL-terminated unsigned char arrays) and `..._size` (their sizes, without the NUL).
set(text "// Generated from tools/report by embed_assets.cmake; do not edit.\n#include <cstddef>\n\nnamespace wandb_tool::assets {\n")
foreach(name html css js)
  file(READ "${SOURCE_DIR}/report.${name}" hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  # 32 bytes (64 hex digits) a line, then each byte as 0xNN
  string(REGEX REPLACE "(................................................................)" "\\1\n" lines "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${lines}")
  string(APPEND text "extern const unsigned char report_${name}[] = {\n${bytes}0x00};\nextern const std::size_t report_${name}_size = ${size};\n")
endforeach()
string(APPEND text "}  // namespace wandb_tool::assets\n")
file(WRITE "${OUTPUT}.tmp" "${text}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
