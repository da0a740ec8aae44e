#include "Billers.h"
#include "SimBiller.h"

namespace Loket {

Billers::Billers(const Config& config)
{
    if (config.simEnabled) _billers["sim"] = std::make_unique<SimBiller>(config);
}

Biller* Billers::find(const std::string& name)
{
    auto it = _billers.find(name);
    return it == _billers.end() ? nullptr : it->second.get();
}

std::vector<std::string> Billers::names() const
{
    std::vector<std::string> out;
    for (const auto& kv : _billers) out.push_back(kv.first);
    return out;
}

bool Billers::serves(const Config& config, Database&, const std::string& name)
{
    return name == "sim" && config.simEnabled;
}

} // namespace Loket
