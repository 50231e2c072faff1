// stb compiled into the fuzz targets, so that libFuzzer sees its branches and AddressSanitizer
// its memory accesses (Debian's libstb.so is neither instrumented nor built with sanitizers).
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <wandb/detail/stb.hpp>
