// stb's implementation, compiled into the tool when it is built without Debian's libstb.so
// (WANDB_IMAGEMASK_LINK_STB=OFF): the one source file of the tool that includes it.
#include <wandb/stb_implementation.hpp>
