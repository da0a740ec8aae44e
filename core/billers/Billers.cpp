#include "Billers.h"
#include "SimBiller.h"

namespace Loket {

Billers::Billers(const Config& config, Database& db)
{
    _billers["sim"] = std::make_unique<SimBiller>(db, config.billerTimeoutMs);
}

Biller* Billers::find(const std::string& name)
{
    auto it = _billers.find(name);
    return it == _billers.end() ? nullptr : it->second.get();
}

} // namespace Loket
