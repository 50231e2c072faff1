// `wandb-imagemask verify`: not written yet.
#include <iostream>

#include "commands.hpp"

namespace wandb_tool {

int verify_command(const Args&) {
    std::cerr << "wandb-imagemask verify: not implemented yet\n";
    return 2;
}

}  // namespace wandb_tool
