// stb compiled into the fuzz targets, so that libFuzzer sees its branches and AddressSanitizer
// its memory accesses (Debian's libstb.so is neither instrumented nor built with sanitizers).
#include <wandb/stb_implementation.hpp>
