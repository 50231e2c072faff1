// `wandb-imagemask view`: not written yet.
#include <iostream>

#include "commands.hpp"

namespace wandb_tool {

int view_command(const Args&) {
    std::cerr << "wandb-imagemask view: not implemented yet\n";
    return 2;
}

}  // namespace wandb_tool
