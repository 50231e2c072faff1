// `wandb-imagemask inspect`: not written yet.
#include <iostream>

#include "commands.hpp"

namespace wandb_tool {

int inspect_command(const Args&) {
    std::cerr << "wandb-imagemask inspect: not implemented yet\n";
    return 2;
}

}  // namespace wandb_tool
