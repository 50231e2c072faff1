// `wandb-imagemask sync`: not written yet.
#include <iostream>

#include "commands.hpp"

namespace wandb_tool {

int sync_command(const Args&) {
    std::cerr << "wandb-imagemask sync: not implemented yet\n";
    return 2;
}

}  // namespace wandb_tool
