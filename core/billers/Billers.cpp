#include "Billers.h"
#include "SecretBox.h"
#include "SimBiller.h"
#include "Suppliers.h"

namespace Loket {

Billers::Billers(const Config& config) : _config(config)
{
    if (config.simEnabled) _billers["sim"] = std::make_shared<SimBiller>(config);
}

std::string Billers::reload(Database& db)
{
    std::map<std::string, std::shared_ptr<Biller>> fresh;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        auto sim = _billers.find("sim");
        if (sim != _billers.end()) fresh["sim"] = sim->second;
    }
    std::string problems;
    try
    {
        auto box = SecretBox::fromConfig(_config);
        Suppliers suppliers(db, *box);
        for (const Supplier& s : suppliers.list())
        {
            if (!s.open || s.code == "sim") continue;
            SupplierLimits limits = SupplierLimits::fromConfig(_config);
            limits.totalTimeoutMs = std::max(1, _config.billerTimeoutFor(s.code));
            limits.connectTimeoutMs = std::min(limits.connectTimeoutMs, limits.totalTimeoutMs);
            fresh[s.code] = makeSupplierBiller(s, limits);
        }
    }
    catch (const std::exception& e)
    {
        problems = std::string("suppliers not loaded: ") + e.what();
        std::lock_guard<std::mutex> lock(_mutex);
        return problems;   // keep the billers we have
    }
    std::lock_guard<std::mutex> lock(_mutex);
    _billers.swap(fresh);
    return problems;
}

std::shared_ptr<Biller> Billers::find(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _billers.find(name);
    return it == _billers.end() ? nullptr : it->second;
}

std::vector<std::string> Billers::names() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    std::vector<std::string> out;
    for (const auto& kv : _billers) out.push_back(kv.first);
    return out;
}

bool Billers::serves(const Config& config, Database& db, const std::string& name)
{
    if (name == "sim") return config.simEnabled;
    bool open = false;
    return Suppliers::exists(db, name, &open) && open;
}

} // namespace Loket
