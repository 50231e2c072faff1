// `wandb-imagemask relocate`: not written yet.
#include <iostream>

#include "commands.hpp"

namespace wandb_tool {

int relocate_command(const Args&) {
    std::cerr << "wandb-imagemask relocate: not implemented yet\n";
    return 2;
}

}  // namespace wandb_tool
